// Implements presets.h: the preset table (each mapping written from the tool's documented export schema) and the
// merge of a preset under the options given.
#include "data/presets.h"

#include "data/line_split.h"

namespace forecart::data {

namespace {

// The key of a "KEY=VALUE" entry, trimmed.
std::string_view entry_key(std::string_view entry) {
  return detail::trim(entry.substr(0, entry.find('=')));
}

// The entries of `given`, then those of `preset` whose key `given` does not have ("b=3" under "a=1,b=2" gives
// "b=3,a=1"). Keys compare case-insensitively when `any_case` (column kinds), exactly otherwise (raw actions).
std::string merge_entries(const std::string& given, std::string_view preset, bool any_case) {
  std::string out(detail::trim(given));
  if (out.empty()) return std::string(preset);
  const std::vector<std::string_view> mine = detail::split_simple(out, ',');
  std::string extra;
  for (std::string_view entry : detail::split_simple(preset, ',')) {
    bool have = false;
    for (std::string_view m : mine) {
      const std::string_view a = entry_key(m), b = entry_key(entry);
      have = have || (any_case ? detail::iequals(a, b) : a == b);
    }
    if (!have) extra += "," + std::string(entry);
  }
  return out + extra;
}

}  // namespace

const std::vector<Preset>& presets() {
  // GA4 BigQuery export (events_YYYYMMDD): event_timestamp in microseconds (INT64, a string in JSON exports),
  // the first element of the items array. Segment Spec track calls (camelCase JSON; the snake_case names of its
  // warehouse tables as alternatives), e-commerce events v2. Snowplow enriched events as the Analytics SDK writes
  // them in JSON: the ecommerce plugin's action event and product entity. RetailRocket's events.csv. OTTO's
  // sessions (otto-de/recsys-dataset).
  static const std::vector<Preset> table = {
      {"ga4", "jsonl",
       "user=user_pseudo_id,item=items.0.item_id,action=event_name,time=event_timestamp,category=items.0.item_category",
       "view_item=view,add_to_cart=cart,purchase=purchase", "us", "GA4 BigQuery export, JSON Lines"},
      {"segment", "jsonl",
       "user=anonymousId|anonymous_id|userId|user_id,item=properties.product_id|properties.products.0.product_id,"
       "action=event,time=timestamp,category=properties.category|properties.products.0.category",
       "Product Viewed=view,Product Added=cart,Order Completed=purchase", "auto", "Segment track calls, JSON Lines"},
      {"snowplow", "jsonl",
       "user=domain_userid,item=contexts_com_snowplowanalytics_snowplow_ecommerce_product_1.0.id,"
       "action=unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1.type,"
       "time=derived_tstamp|collector_tstamp,category=contexts_com_snowplowanalytics_snowplow_ecommerce_product_1.0."
       "category",
       "product_view=view,add_to_cart=cart,transaction=purchase", "auto",
       "Snowplow enriched events (Analytics SDK JSON), JSON Lines"},
      {"retailrocket", "csv", "user=visitorid,item=itemid,action=event,time=timestamp",
       "view=view,addtocart=cart,transaction=purchase", "ms", "RetailRocket events.csv"},
      {"otto", "jsonl", "user=session,item=aid,action=type,time=ts,events=events",
       "clicks=view,carts=cart,orders=purchase", "auto", "OTTO sessions, JSON Lines"},
  };
  return table;
}

Status apply_preset(ReadOptions* opts) {
  if (opts->preset.empty()) return Status::Ok();
  const Preset* p = nullptr;
  std::string names;
  for (const Preset& q : presets()) {
    if (opts->preset == q.name) p = &q;
    names += (names.empty() ? "" : ", ") + std::string(q.name);
  }
  if (p == nullptr) return invalid_argument("preset '" + opts->preset + "': expected one of " + names);
  if (opts->format == "auto") opts->format = p->format;
  if (opts->time_unit == "auto") opts->time_unit = p->time_unit;
  opts->columns = merge_entries(opts->columns, p->columns, true);
  opts->actions = merge_entries(opts->actions, p->actions, false);
  opts->drop_unmapped_actions = true;
  return Status::Ok();
}

}  // namespace forecart::data
