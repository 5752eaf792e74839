// Tests of src/data on real data: the excerpts in tests/fixtures (see tests/fixtures/README.md, no
// ../shared needed), the full shared datasets ([shared-data]), the leave-one-out split and drop_rare_items.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "data/events.h"
#include "data/filter.h"
#include "data/split.h"
#include "data_test_util.h"
#include "shared_data.h"

using namespace forecart::data;
using namespace forecart::test;

TEST_CASE("Split: leave-one-out", "[data][split]") {
  Dataset ds = read_ok("a 1 2 3 4 5\nb 1 2\nc 1 2 3\nd 9\n");
  Split s = make_split(ds);
  CHECK(s.users == std::vector<uint32_t>{0, 2});
  CHECK(s.train_only_users == 2);
  CHECK(s.train_events == 3 + 2 + 1 + 1);

  const auto& a = ds.sequences[0];
  CHECK(has_holdout(a));
  CHECK(train_prefix_len(a) == 3);
  CHECK(target_index(a, Fold::kValidation) == 3);  // item "4", predicted from items 1..3
  CHECK(target_index(a, Fold::kTest) == 4);        // item "5", predicted from items 1..4
  CHECK(ds.item_ids[a[target_index(a, Fold::kTest)].item] == "5");
  const auto& b = ds.sequences[1];
  CHECK_FALSE(has_holdout(b));
  CHECK(train_prefix_len(b) == 2);
  const auto& c = ds.sequences[2];
  CHECK(train_prefix_len(c) == 1);
  CHECK(target_index(c, Fold::kValidation) == 1);
  CHECK(target_index(c, Fold::kTest) == 2);
}

TEST_CASE("Split: the fit users are at most every other held-out user", "[data][split]") {
  Split s;
  s.users = {1, 4, 5, 8, 9, 12, 20};
  CHECK(fit_users(s, 100) == std::vector<uint32_t>{1, 5, 9});  // 7 held out: 3, none adjacent
  CHECK(fit_users(s, 2) == std::vector<uint32_t>{1, 8});       // evenly spaced
  CHECK(fit_users(s, 0).empty());
  s.users = {3};
  CHECK(fit_users(s, 100).empty());  // one held-out user keeps its whole prefix
}

// ---------------------------------------------------------------------------------------------------------------
// Real excerpts in tests/fixtures (see tests/fixtures/README.md): no /work/shared needed.

TEST_CASE("Fixtures: taobao (no header, positional)", "[data][fixtures]") {
  ReadOptions o;
  o.no_header = true;
  o.columns = "user=0,item=1,category=2,action=3,time=4";
  Dataset ds = read_files_ok({fixture("taobao_head60.csv")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 60);
  CHECK(ds.user_ids.size() == 60);
  CHECK(ds.item_ids.size() == 60);
  CHECK(ds.category_names.size() == 45);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"pv", 51}, {"cart", 4}, {"fav", 4}, {"buy", 1}});
  CHECK(ds.user_ids[0] == "543462");
  CHECK(ds.item_ids[0] == "1715");
  CHECK(ds.category_names[ds.item_category[0]] == "1464116");
  CHECK(ds.sequences[0][0].time == 1511658000);
}

TEST_CASE("Fixtures: JD train (gzip, datetime, action mapping)", "[data][fixtures]") {
  ReadOptions o;
  o.actions = "1=view,2=purchase,3=follow,4=comment";
  o.columns = kJdSessions;
  Dataset ds = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 59);
  CHECK(ds.user_ids.size() == 30);  // sessions
  CHECK(ds.user_ids[0] == "42");
  CHECK(ds.item_ids.size() == 58);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 56}, {"purchase", 3}});
  CHECK(ds.sequences[0][0].time == 1519862406);

  // The 'index' column holds the same times as unix seconds with a decimal: both parse to the same values.
  o.columns = "user=user_id,item=sku_id,action=type,time=index";
  Dataset by_index = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  CHECK(by_index.user_ids.size() == 30);
  o.columns = "user=user_id,item=sku_id,action=type,time=action_time";
  Dataset by_date = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  REQUIRE(by_index.sequences.size() == by_date.sequences.size());
  for (size_t u = 0; u < by_index.sequences.size(); ++u) {
    REQUIRE(by_index.sequences[u].size() == by_date.sequences[u].size());
    for (size_t i = 0; i < by_index.sequences[u].size(); ++i)
      CHECK(by_index.sequences[u][i].time == by_date.sequences[u][i].time);
  }
}

TEST_CASE("Fixtures: Diginetica views + purchases", "[data][fixtures]") {
  ReadReport rep;
  Dataset ds = read_files_ok(
      {fixture("diginetica_views_head60.csv"), fixture("diginetica_purchases_head60.csv.gz") + "#action=purchase"},
      diginetica_sessions(), &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 118);
  CHECK(ds.user_ids.size() == 47);
  CHECK(ds.item_ids.size() == 105);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 59}, {"purchase", 59}});
  // Session 1: ten views on one date keep file order (the stable sort of ties).
  CHECK(items_of(ds, "1") == std::vector<std::string>{"81766", "31331", "32118", "9654", "32627", "33043", "12352",
                                                      "35077", "36118", "129055"});
  CHECK(ds.sequences[0][0].time == 1462752000);

  Dataset views = read_files_ok({fixture("diginetica_views_head60.csv")}, diginetica_sessions());
  CHECK(views.num_events() == 59);
  CHECK(views.user_ids.size() == 13);
  CHECK(views.item_ids.size() == 50);
}

TEST_CASE("Fixtures: YooChoose (tab, float seconds)", "[data][fixtures]") {
  Dataset ds = read_files_ok({fixture("yoochoose_train_full_head60.txt")});
  check_invariants(ds);
  CHECK(ds.num_events() == 59);
  CHECK(ds.user_ids.size() == 15);
  CHECK(ds.item_ids.size() == 37);
  CHECK(ds.user_ids[0] == "3");
  CHECK(ds.sequences[0][0].time == 1396437466);
  CHECK(items_of(ds, "3") == std::vector<std::string>{"214716935", "214832672"});
}

TEST_CASE("Fixtures: SASRec Video and S3-Rec Beauty", "[data][fixtures]") {
  Dataset video = read_files_ok({fixture("video_head60.txt")});
  check_invariants(video);
  CHECK(video.num_events() == 60);
  CHECK(video.user_ids.size() == 8);
  CHECK(video.item_ids.size() == 54);
  CHECK(video.item_ids[0] == "6393");

  Dataset beauty = read_files_ok({fixture("beauty_head20.txt.gz")});
  check_invariants(beauty);
  CHECK(beauty.num_events() == 201);
  CHECK(beauty.user_ids.size() == 20);
  CHECK(beauty.item_ids.size() == 179);
  CHECK(items_of(beauty, "1") == std::vector<std::string>{"1", "2", "3", "4", "5"});
}

TEST_CASE("Fixtures: OTTO CSV from scripts/otto-to-csv.mjs", "[data][fixtures]") {
  ReadReport rep;
  Dataset ds = read_files_ok({fixture("otto_head2.csv")}, {}, &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 308);
  CHECK(ds.user_ids == std::vector<std::string>{"0", "1"});
  CHECK(ds.item_ids.size() == 205);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"clicks", 279}, {"carts", 25}, {"orders", 4}});
  CHECK(ds.sequences[0][0].time == 1659304800);  // ms -> s
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0].find("user=session item=aid action=type time=ts") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------
// The full datasets in FORECART_DATA_DIR, checked against the counts in their READMEs.

namespace {

std::string data(const std::string& rel) {
  return forecart::test::shared_data(rel);
}

}  // namespace

TEST_CASE("Real data: SASRec / S3-Rec text sets", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("amazon_video_games_sasrec") ||
      !forecart::test::have_shared_data("amazon_s3rec"))
    return;
  struct Expect {
    const char* file;
    size_t events, users, items;
  };
  for (const Expect& e : {Expect{"amazon_video_games_sasrec/Video.txt.gz", 287107, 31013, 23715},
                          Expect{"amazon_s3rec/Beauty.txt.gz", 198502, 22363, 12101},
                          Expect{"amazon_s3rec/Sports_and_Outdoors.txt.gz", 296337, 35598, 18357},
                          Expect{"amazon_s3rec/Toys_and_Games.txt.gz", 167597, 19412, 11924}}) {
    INFO(e.file);
    ReadReport rep;
    Dataset ds = read_files_ok({data(e.file)}, {}, &rep);
    check_invariants(ds);
    CHECK(ds.num_events() == e.events);
    CHECK(ds.user_ids.size() == e.users);
    CHECK(ds.item_ids.size() == e.items);
    CHECK(rep.skipped == 0);
  }
}

TEST_CASE("Real data: Taobao UserBehavior slice", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("taobao_userbehavior_slice")) return;
  ReadOptions o;
  o.no_header = true;
  o.columns = "user=0,item=1,category=2,action=3,time=4";
  ReadReport rep;
  Dataset ds = read_files_ok({data("taobao_userbehavior_slice/UserBehavior.csv.gz")}, o, &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 110300);
  CHECK(ds.user_ids.size() == 66454);
  CHECK(ds.item_ids.size() == 84793);
  CHECK(ds.category_names.size() == 3913);
  CHECK(action_counts(ds) ==
        std::map<std::string, size_t>{{"pv", 98361}, {"cart", 6063}, {"fav", 3383}, {"buy", 2493}});
  size_t multi = 0;
  for (const auto& s : ds.sequences) multi += s.size() >= 2;
  CHECK(multi == 23779);
  CHECK(rep.skipped == 0);
}

TEST_CASE("Real data: JD micro-behaviour demo", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("jd_microbehavior_demo")) return;
  ReadOptions o;
  o.actions = "1=view,2=purchase,3=follow,4=comment";
  o.columns = kJdSessions;
  Dataset ds = read_files_ok({data("jd_microbehavior_demo/train.csv.gz")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 27183);
  CHECK(ds.user_ids.size() == 5052);  // sessions
  CHECK(ds.item_ids.size() == 12195);
  CHECK(action_counts(ds) ==
        std::map<std::string, size_t>{{"view", 24365}, {"purchase", 1906}, {"follow", 448}, {"comment", 464}});
  o.columns = "user=user_id,item=sku_id,action=type,time=action_time";
  Dataset users = read_files_ok({data("jd_microbehavior_demo/train.csv.gz")}, o);
  CHECK(users.user_ids.size() == 3520);

  o.columns = kJdSessions;
  CHECK(read_files_ok({data("jd_microbehavior_demo/test.csv.gz")}, o).num_events() == 2262);
  Dataset tn = read_files_ok({data("jd_microbehavior_demo/test_new_item.csv.gz")}, o);
  CHECK(tn.num_events() == 3177);
  CHECK(tn.user_ids.size() == 644);
  CHECK(tn.item_ids.size() == 2219);
}

TEST_CASE("Real data: YooChoose 100k", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("yoochoose_clicks_100k")) return;
  struct Expect {
    const char* file;
    size_t events, sessions, items;
  };
  for (const Expect& e : {Expect{"train_full", 70278, 17794, 2933}, Expect{"test", 13568, 3416, 1771},
                          Expect{"train_tr", 53254, 13629, 2873}, Expect{"train_valid", 16539, 4084, 2029}}) {
    INFO(e.file);
    Dataset ds =
        read_files_ok({data(std::string("yoochoose_clicks_100k/yoochoose-clicks-100k_") + e.file + ".txt.gz")});
    check_invariants(ds);
    CHECK(ds.num_events() == e.events);
    CHECK(ds.user_ids.size() == e.sessions);
    CHECK(ds.item_ids.size() == e.items);
  }
}

TEST_CASE("Real data: Diginetica views + purchases", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("diginetica")) return;
  Dataset views = read_files_ok({data("diginetica/sample_train-item-views.csv.gz")}, diginetica_sessions());
  CHECK(views.num_events() == 12391);
  CHECK(views.user_ids.size() == 2986);
  CHECK(views.item_ids.size() == 7139);
  Dataset buys = read_files_ok({data("diginetica/train-purchases.csv.gz") + "#action=purchase"}, diginetica_sessions());
  CHECK(buys.num_events() == 18025);
  CHECK(buys.user_ids.size() == 12630);
  CHECK(buys.item_ids.size() == 11244);
  CHECK(buys.action_names == std::vector<std::string>{"purchase"});

  Dataset both = read_files_ok({data("diginetica/sample_train-item-views.csv.gz"),
                                data("diginetica/train-purchases.csv.gz") + "#action=purchase"},
                               diginetica_sessions());
  check_invariants(both);
  CHECK(both.num_events() == 12391 + 18025);
  CHECK(both.user_ids.size() == 2986 + 12630 - 138);  // 138 sessions appear in both files
  CHECK(action_counts(both) == std::map<std::string, size_t>{{"view", 12391}, {"purchase", 18025}});

  // The category table reads too (item + category, no user): every row is an event of its own "user" column.
  ReadOptions o;
  o.columns = "user=categoryId,item=itemId,category=categoryId";
  Dataset cats = read_files_ok({data("diginetica/product-categories.csv.gz")}, o);
  CHECK(cats.item_ids.size() == 184047);
  CHECK(cats.category_names.size() == 1217);
}

TEST_CASE("drop_rare_items removes rare items' events and emptied users, keeping order", "[data][filter]") {
  auto ds = forecart::data::read_events_text(
      "user,item,time\nu1,a,1600000001\nu1,b,1600000002\nu2,a,1600000003\nu3,c,1600000004\nu2,b,1600000005\n"
      "u1,a,1600000006\n",
      "f.csv", {});
  REQUIRE(ds.ok());
  auto f = forecart::data::drop_rare_items(ds.value(), 2);
  REQUIRE(f.item_ids == std::vector<std::string>{"a", "b"});
  REQUIRE(f.user_ids == std::vector<std::string>{"u1", "u2"});  // u3 had only c
  REQUIRE(f.sequences[0].size() == 3);
  REQUIRE(f.sequences[0][2].item == 0);
  REQUIRE(f.sequences[1][1].item == 1);
  REQUIRE(f.sequences[1][1].user == 1);
  REQUIRE(f.num_events() == 5);
  REQUIRE(forecart::data::drop_rare_items(ds.value(), 1).num_events() == 6);
}
