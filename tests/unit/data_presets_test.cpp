// Tests for the input presets (src/data/presets.h): each preset reads its fixture in tests/fixtures/presets/
// (synthetic lines in the tool's documented export schema) with the expected counts, actions, dropped events
// and times; a preset merges under the columns and actions given; unknown names fail.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "data/events.h"
#include "data/presets.h"
#include "data_test_util.h"

using forecart::StatusCode;
using namespace forecart::data;
using forecart::test::action_counts;

namespace {

std::string preset_fixture(const std::string& name) {
  return std::string(FORECART_TEST_DIR) + "/fixtures/presets/" + name;
}

struct Read {
  Dataset ds;
  ReadReport rep;
};

Read read_preset(const std::string& preset, const std::string& file, ReadOptions o = {}) {
  o.preset = preset;
  Read r;
  auto ds = read_events({file}, o, &r.rep);
  INFO(ds.status().to_string());
  REQUIRE(ds.ok());
  r.ds = ds.take();
  return r;
}

// "item:action@time" per event of a user, in order.
std::vector<std::string> events_of(const Dataset& ds, const std::string& user) {
  std::vector<std::string> out;
  for (size_t u = 0; u < ds.user_ids.size(); ++u)
    if (ds.user_ids[u] == user)
      for (const Event& e : ds.sequences[u])
        out.push_back(ds.item_ids[e.item] + ":" + ds.action_names[e.action] + "@" + std::to_string(e.time));
  return out;
}

using Strings = std::vector<std::string>;
using Counts = std::map<std::string, size_t>;

}  // namespace

TEST_CASE("Preset ga4: GA4 BigQuery export lines", "[data][presets]") {
  Read r = read_preset("ga4", preset_fixture("ga4_events.jsonl"));
  CHECK(r.rep.lines == 12);
  CHECK(r.rep.events == 7);
  CHECK(r.rep.dropped == 5);  // session_start, page_view x2, view_item_list, user_engagement
  CHECK(r.rep.skipped == 0);
  CHECK(r.ds.user_ids == Strings{"1234567890.1696118400", "987654321.1696118000", "555000111.1696200000"});
  CHECK(r.ds.item_ids == Strings{"SKU_1", "SKU_3", "SKU_2"});
  CHECK(r.ds.category_names == Strings{"Apparel", "Shoes", "Bags"});
  CHECK(r.ds.action_names == Strings{"view", "cart", "purchase"});
  CHECK(action_counts(r.ds) == Counts{{"view", 4}, {"cart", 2}, {"purchase", 1}});
  // Microseconds as a string and as a number; the purchase is read as its first item.
  CHECK(events_of(r.ds, "1234567890.1696118400") ==
        Strings{"SKU_1:view@1696118402", "SKU_1:cart@1696118460", "SKU_1:purchase@1696118520"});
  REQUIRE(r.rep.file_notes.size() == 1);
  CHECK(r.rep.file_notes[0].find("jsonl user=user_pseudo_id item=items.0.item_id action=event_name "
                                 "time=event_timestamp (us, --time-unit) category=items.0.item_category") !=
        std::string::npos);
}

TEST_CASE("Preset segment: Segment track, page and identify calls", "[data][presets]") {
  Read r = read_preset("segment", preset_fixture("segment_tracks.jsonl"));
  CHECK(r.rep.lines == 10);
  CHECK(r.rep.events == 6);
  CHECK(r.rep.dropped == 4);  // page, identify, Checkout Started, Product List Viewed
  CHECK(r.rep.skipped == 0);
  CHECK(r.ds.user_ids == Strings{"anon-1", "anon-2", "u-7"});  // anonymousId first, userId when there is none
  CHECK(r.ds.item_ids == Strings{"p1", "p2", "12345"});        // the number 12345 and the string "12345"
  CHECK(r.ds.category_names == Strings{"Games", "Toys", "Books"});
  CHECK(action_counts(r.ds) == Counts{{"view", 3}, {"cart", 1}, {"purchase", 2}});
  CHECK(events_of(r.ds, "anon-1") == Strings{"p1:view@1696154400", "p1:cart@1696154460", "p1:purchase@1696154730"});
  CHECK(events_of(r.ds, "anon-2") == Strings{"p2:view@1696233600", "12345:view@1696233660"});  // +02:00
  CHECK(events_of(r.ds, "u-7") == Strings{"12345:purchase@1696334400"});
}

TEST_CASE("Preset snowplow: Snowplow enriched events (Analytics SDK JSON)", "[data][presets]") {
  Read r = read_preset("snowplow", preset_fixture("snowplow_enriched.jsonl"));
  CHECK(r.rep.lines == 9);
  CHECK(r.rep.events == 5);
  CHECK(r.rep.dropped == 4);  // page_view, page_ping, list_view, remove_from_cart
  CHECK(r.rep.skipped == 0);
  CHECK(r.ds.user_ids == Strings{"d-aaa", "d-bbb"});
  CHECK(r.ds.item_ids == Strings{"P1", "P3", "P2"});
  CHECK(r.ds.category_names == Strings{"shoes", "bags"});
  CHECK(action_counts(r.ds) == Counts{{"view", 3}, {"cart", 1}, {"purchase", 1}});
  CHECK(events_of(r.ds, "d-aaa") == Strings{"P1:view@1696150800", "P1:cart@1696150920", "P1:purchase@1696151400"});
  // derived_tstamp, else collector_tstamp.
  CHECK(events_of(r.ds, "d-bbb") == Strings{"P3:view@1696334400", "P2:view@1696334520"});
}

TEST_CASE("Preset retailrocket: RetailRocket events.csv", "[data][presets]") {
  Read r = read_preset("retailrocket", preset_fixture("retailrocket_events.csv"));
  CHECK(r.rep.lines == 9);
  CHECK(r.rep.events == 9);
  CHECK(r.rep.dropped == 0);
  CHECK(r.ds.user_ids == Strings{"1001", "1002", "1003"});
  CHECK(r.ds.item_ids == Strings{"355908", "248676", "318965"});
  CHECK(action_counts(r.ds) == Counts{{"view", 5}, {"cart", 2}, {"purchase", 2}});
  CHECK(events_of(r.ds, "1003") ==
        Strings{"248676:view@1433223000", "248676:cart@1433223060", "248676:purchase@1433223600"});
  CHECK(r.rep.file_notes[0] ==
        preset_fixture("retailrocket_events.csv") +
            ": csv ',' header user=visitorid item=itemid action=event time=timestamp (ms, --time-unit)");
}

TEST_CASE("Preset otto: OTTO session lines", "[data][presets]") {
  Read r = read_preset("otto", preset_fixture("otto_sessions.jsonl"));
  CHECK(r.rep.lines == 3);
  CHECK(r.rep.events == 9);
  CHECK(r.rep.dropped == 0);
  CHECK(r.ds.user_ids == Strings{"900001", "900002", "900003"});
  CHECK(r.ds.item_ids == Strings{"11", "12", "13", "14"});
  CHECK(action_counts(r.ds) == Counts{{"view", 6}, {"cart", 2}, {"purchase", 1}});
  CHECK(events_of(r.ds, "900003") == Strings{"12:view@1661800000", "14:cart@1661800100"});
  // The real sample reads the same way.
  Read real = read_preset("otto", std::string(FORECART_TEST_DIR) + "/fixtures/otto_head2.jsonl");
  CHECK(real.ds.num_events() == 308);
  CHECK(action_counts(real.ds) == Counts{{"view", 279}, {"cart", 25}, {"purchase", 4}});
}

TEST_CASE("Presets: given columns and actions override the preset's, unknown names fail", "[data][presets]") {
  ReadOptions o;
  o.preset = "ga4";
  o.columns = "category=items.0.item_brand";
  o.actions = "view_item_list=list,view_item=detail";
  REQUIRE(apply_preset(&o).ok());
  CHECK(o.format == "jsonl");
  CHECK(o.time_unit == "us");
  CHECK(o.drop_unmapped_actions);
  CHECK(o.columns ==
        "category=items.0.item_brand,user=user_pseudo_id,item=items.0.item_id,action=event_name,time=event_timestamp");
  CHECK(o.actions == "view_item_list=list,view_item=detail,add_to_cart=cart,purchase=purchase");

  ReadOptions given;
  given.columns = o.columns;
  given.actions = "view_item_list=list,view_item=detail";
  Read r = read_preset("ga4", preset_fixture("ga4_events.jsonl"), given);
  CHECK(r.rep.dropped == 4);
  CHECK(action_counts(r.ds) == Counts{{"detail", 4}, {"list", 1}, {"cart", 2}, {"purchase", 1}});
  CHECK(r.ds.category_names == Strings{"Acme"});

  o = ReadOptions();
  o.preset = "mixpanel";
  const forecart::Status st = apply_preset(&o);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() == "preset 'mixpanel': expected one of ga4, segment, snowplow, retailrocket, otto");
  CHECK(read_events_text("{}\n", "x.jsonl", o).status().code() == StatusCode::kInvalidArgument);
  CHECK(presets().size() == 5);
}
