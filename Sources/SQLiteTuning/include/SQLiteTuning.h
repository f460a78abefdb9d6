#ifndef WELFARE_SQLITE_TUNING_H
#define WELFARE_SQLITE_TUNING_H

/// Turns off SQLite's memory statistics for this process (SQLITE_CONFIG_MEMSTATUS). Call it before the
/// process opens its first database; returns SQLITE_OK (0), or SQLITE_MISUSE when SQLite had already
/// started, in which case nothing changed.
int welfare_sqlite_skip_memory_statistics(void);

#endif
