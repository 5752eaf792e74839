// The Builder's per-event part (builder.h): the events of one line are checked (an unmapped action dropped when
// asked, absent or empty ids, the item length, the time through the TimeReader, the category and action names)
// and then added: action, user, item and category interned into the Dataset tables, the event appended to its
// user's sequence. Shared by the delimited and the JSON Lines readers of events.cpp.
#include "data/builder.h"

#include <string>
#include <utility>

#include "core/limits.h"

namespace forecart::data::detail {

Status Builder::add_events(const EventFields* events, size_t n, size_t line_no, const std::string& name,
                           bool numbered) {
  checked_.resize(n);
  for (size_t i = 0; i < n; ++i)
    if (!check_event(events[i], &checked_[i]))
      return malformed(name, line_no, numbered ? "event " + std::to_string(i) + ": " + reason_ : reason_);
  for (size_t i = 0; i < n; ++i) FORECART_RETURN_IF_ERROR(add_event(events[i], checked_[i]));
  return Status::Ok();
}

// Checks one event's values (an unmapped action first when those are dropped); false with reason_ set.
bool Builder::check_event(const EventFields& f, Checked* c) {
  *c = Checked();
  if (opts_.drop_unmapped_actions && f.state[kAction] != kNoColumn) {
    key_.assign(f.value[kAction].data(), f.value[kAction].size());
    c->drop = f.state[kAction] == kAbsent || action_map_.find(key_) == action_map_.end();
    if (c->drop) return true;
  }
  static const char* const kAbsentWhy[kNumKinds] = {"no user id", "no item id", "no action", "no time", nullptr};
  for (int k = 0; k < kNumKinds; ++k)
    if (f.state[k] == kAbsent && kAbsentWhy[k] != nullptr) return fail(kAbsentWhy[k]);
  const std::string_view* v = f.value;
  if (v[kUser].empty()) return fail("empty user id");
  if (v[kItem].empty()) return fail("empty item id");
  if (v[kItem].size() > kMaxItemIdBytes) return fail(too_long_);
  if (f.state[kTime] == kValue && !time_.read(v[kTime], &c->time, &why_)) return fail(time_column_ + why_);
  if (v[kCategory].size() > kMaxCategoryNameBytes)
    return fail("category longer than " + std::to_string(kMaxCategoryNameBytes) + " bytes");
  return check_action(f);
}

// Only a valid line may register a new action name, so the name is checked here and interned in add_event.
bool Builder::check_action(const EventFields& f) {
  if (f.state[kAction] != kValue) return true;
  const std::string_view raw = f.value[kAction];
  key_.assign(raw.data(), raw.size());
  if (raw_actions_.find(key_) != raw_actions_.end()) return true;
  if (raw.empty()) return fail("empty action");
  auto mapped = action_map_.find(key_);
  if ((mapped != action_map_.end() ? mapped->second.size() : raw.size()) > kMaxActionNameBytes)
    return fail("action name longer than " + std::to_string(kMaxActionNameBytes) + " bytes");
  return true;
}

Status Builder::add_event(const EventFields& f, const Checked& c) {
  if (c.drop) {
    ++report_->dropped;
    return Status::Ok();
  }
  uint32_t action;
  if (f.state[kAction] == kValue) {
    key_.assign(f.value[kAction].data(), f.value[kAction].size());
    auto it = raw_actions_.find(key_);
    if (it != raw_actions_.end()) {
      action = it->second;
    } else {
      auto mapped = action_map_.find(key_);
      std::string action_name = mapped != action_map_.end() ? mapped->second : key_;
      std::string raw_key = key_;  // intern() reuses key_
      FORECART_RETURN_IF_ERROR(intern(&actions_, &ds_.action_names, action_name, kMaxActions, "actions", &action));
      raw_actions_.emplace(std::move(raw_key), action);
    }
  } else {
    FORECART_RETURN_IF_ERROR(file_constant_action(&action));
  }
  uint32_t user, item;
  FORECART_RETURN_IF_ERROR(intern_user(f.value[kUser], &user));
  FORECART_RETURN_IF_ERROR(intern(&items_, &ds_.item_ids, f.value[kItem], kMaxItems, "items", &item));
  if (item == ds_.item_category.size()) ds_.item_category.push_back(kNoCategory);
  if (!f.value[kCategory].empty()) {
    uint32_t cat;
    FORECART_RETURN_IF_ERROR(
        intern(&categories_, &ds_.category_names, f.value[kCategory], kMaxCategories, "categories", &cat));
    ds_.item_category[item] = cat;  // the last one seen wins
  }
  ds_.sequences[user].push_back(Event{user, item, action, kNoCategory, c.time});
  ++report_->events;
  return Status::Ok();
}

}  // namespace forecart::data::detail
