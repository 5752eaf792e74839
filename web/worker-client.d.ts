/// <reference lib="esnext.disposable" />
// forecart/worker: the same API, every method returning a Promise (the model runs in a Web Worker).
import type {
  ForecartEvent, ForecartInfo, HistoryExport, LoadOptions, Prediction, PredictOptions,
} from './index.js';
export { ForecartError, simdSupported } from './index.js';
export type * from './index.js';

export declare class Forecart {
  static load(model: string | URL | ArrayBuffer | Uint8Array, options?: Omit<LoadOptions, 'locateFile'>): Promise<Forecart>;
  readonly info: Promise<ForecartInfo>;
  record(event: ForecartEvent): Promise<boolean>;
  predict(options?: PredictOptions): Promise<Prediction>;
  scoreItems(ids: Array<string | number>): Promise<Array<{ item: string; score: number | null }>>;
  catalogue(): Promise<string[]>;
  itemCategory(item: string | number): Promise<string | undefined>;
  readonly history: {
    export(): Promise<HistoryExport>;
    import(data: HistoryExport | ForecartEvent[]): Promise<number>;
    clear(): Promise<void>;
  };
  grantConsent(): Promise<void>;
  revokeConsent(): Promise<void>;
  dispose(): Promise<void>;
  [Symbol.dispose](): void;
}
