/// <reference lib="esnext.disposable" />
// Types of the forecart package (browser and Node entries share them).

export type ForecartErrorCode =
  // from the C++ core (src/core/status.h)
  | 'invalid_argument' | 'parse_error' | 'io_error' | 'bad_magic' | 'unsupported_version'
  | 'checksum_mismatch' | 'truncated' | 'corrupt_model' | 'limit_exceeded' | 'unknown_item' | 'internal'
  // from the JS API only (web/errors.js JS_ONLY_CODES)
  | 'simd_unsupported' | 'fetch_failed' | 'aborted' | 'integrity_mismatch' | 'wasm_load_failed' | 'wasm_aborted'
  | 'invalid_event' | 'unknown_action' | 'unknown_category' | 'consent_required' | 'disposed' | 'worker_failed'
  | (string & {});

export declare class ForecartError extends Error {
  readonly name: 'ForecartError';
  readonly code: ForecartErrorCode;
}

export interface ForecartWarning {
  code: 'storage_fallback' | 'storage_blocked' | 'corrupt_record' | 'unknown_action' | 'model_mime' | 'import_skipped' | (string & {});
  message: string;
}

export interface LoadOptions {
  /** Where the history lives; 'indexeddb' (browser default) falls back to memory when unavailable. */
  storage?: 'indexeddb' | 'memory';
  /** Keeps the histories of several stores or accounts apart. Default 'default'. */
  namespace?: string;
  /** Newest events kept on the device. Default 500. */
  maxEvents?: number;
  /** Events older than this are dropped. Default 30. */
  ttlDays?: number;
  /** 'required': nothing is recorded or stored until grantConsent(). Default 'granted'. */
  consent?: 'granted' | 'required';
  /** Aborts the model download / load. */
  signal?: AbortSignal;
  /** Subresource Integrity of the model, e.g. "sha256-<base64>". */
  integrity?: string;
  /** Called instead of console.warn for recoverable problems (storage fallback, corrupt records...). */
  onWarning?: (warning: ForecartWarning) => void;
  /** Where forecart.wasm is (bundlers usually need nothing). */
  locateFile?: (path: string, prefix: string) => string;
  /** The .wasm bytes, when the page has them already. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface ForecartEvent {
  /** The storefront's item id (at most 256 bytes of UTF-8). */
  item: string | number;
  /** One of the model's action names (see Forecart.actions); default: the first (usually 'view'). */
  action?: string;
  /** When it happened: a Date or milliseconds since 1970; default now. */
  time?: number | Date;
}

export interface PredictOptions {
  k?: number;
  exclude?: Iterable<string>;
  allow?: Iterable<string>;
  category?: string;
  explain?: boolean;
}

export interface ExplanationEntry {
  item: string;
  action: string;
  time: number;
  /** Drop in the recommended item's logit when this event is left out (positive: it pushed the item up). */
  impact: number;
}

export interface ActionExplanationEntry {
  item: string;
  action: string;
  time: number;
  /** Per action type: the drop in its next-action probability when this event is left out (positive: the event raised it). */
  impact: Record<string, number>;
}

export interface PredictedItem {
  item: string;
  /** Probability under the model's softmax over the whole catalogue (before filters). */
  score: number;
  category?: string;
  explanation?: ExplanationEntry[];
}

export interface Prediction {
  items: PredictedItem[];
  actions: Record<string, number>;
  /** True when the history is empty and items are ranked by popularity. */
  fromPopularity: boolean;
  /** With `explain: true`: the window's events, newest first, and how each moves the next-action probabilities. */
  actionExplanation?: ActionExplanationEntry[];
}

export interface HistoryExport {
  format: 'forecart-history';
  version: 1;
  namespace: string;
  exportedAt: string;
  events: Array<{ item: string; action: string; time: number }>;
}

export interface ForecartInfo {
  items: number;
  actions: string[];
  /** The action `record({ item })` records: the most frequent one in the model's training events. */
  defaultAction: string;
  categories: number;
  maxLen: number;
  dim: number;
  quantized: boolean;
  kernels: string;
  storage: 'indexeddb' | 'memory' | 'none';
  consent: boolean;
}

export declare class Forecart {
  static load(model: string | URL | ArrayBuffer | Uint8Array, options?: LoadOptions): Promise<Forecart>;
  readonly info: ForecartInfo;
  readonly actions: string[];
  readonly categories: string[];
  /** Updates the prediction state synchronously; resolves when the event is stored (false without consent). */
  record(event: ForecartEvent): Promise<boolean>;
  predict(options?: PredictOptions): Prediction;
  scoreItems(ids: Array<string | number>): Array<{ item: string; score: number | null }>;
  catalogue(): string[];
  itemCategory(item: string | number): string | undefined;
  readonly history: {
    export(): Promise<HistoryExport>;
    import(data: HistoryExport | ForecartEvent[]): Promise<number>;
    clear(): Promise<void>;
  };
  grantConsent(): Promise<void>;
  /** Stops recording and erases this namespace's stored history. */
  revokeConsent(): Promise<void>;
  dispose(): void;
  [Symbol.dispose](): void;
}

export declare function simdSupported(): boolean;
