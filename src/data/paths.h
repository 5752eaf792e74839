// Internal to src/data: what a `--data` entry names. A file; a directory (its regular files, sorted by name,
// without dot files); or a glob(3) pattern ("exports/events_*.jsonl.gz": its matches, sorted). Analytics exports
// arrive as daily shard files, so train and eval both take a folder or a pattern.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace forecart::data::detail {

// Appends the files `path` names to *out. A path that exists is taken as it is (a file, or a directory listed);
// otherwise a path with '*', '?' or '[' is a pattern. io_error for an empty directory, a pattern that matches no
// file, or a directory that cannot be listed; a missing plain path is appended (opening it reports the error).
Status expand_path(const std::string& path, std::vector<std::string>* out);

}  // namespace forecart::data::detail
