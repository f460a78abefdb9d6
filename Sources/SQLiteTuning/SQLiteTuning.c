// SQLite's process-wide settings that its C API offers only through sqlite3_config, a variadic function
// Swift cannot call.
//
// With memory statistics on (Debian's default), every allocation and free SQLite makes takes one global
// mutex to keep its counters; Debian's build has no lookaside allocator, so a statement's step makes many.
// The store writer spent ~2 % of its samples in that mutex (perf, tally benchmark). Nothing here reads
// the statistics (sqlite3_memory_used and sqlite3_soft_heap_limit64 are not used).

#include <sqlite3.h>
#include "SQLiteTuning.h"

int welfare_sqlite_skip_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
