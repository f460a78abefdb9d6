// jemalloc in place of glibc's malloc, for every process of the project (through WorkerRuntime, and the
// broker's own dependency on this target).
//
// A worker's threads hand memory to each other all the time: the consumer's messages are freed after
// the writer's transaction, the writer's notifications are rendered and freed on another thread. glibc's
// malloc then takes the lock of the arena that owns each chunk, and on two cores the store writer spent
// a fifth of its time in malloc, free and the futex wake-ups of those locks (perf). jemalloc's per-thread
// caches and arenas do not (tally +29 %, claims +13 %, volunteer hours +3 % events/s: ops/RUNBOOK.md).
//
// Linking this object puts libjemalloc.so among the executable's libraries ahead of libc, so its malloc,
// free and friends are the ones every library in the process (Swift's runtime, librdkafka, SQLite) uses.

#include <stddef.h>
#include <sys/types.h>
#include <jemalloc/jemalloc.h>
#include "MemoryAllocator.h"

// Read by jemalloc when it starts (before main). Unused memory goes back to the system after about a
// second rather than ten (dirty_decay_ms), and straight away rather than via MADV_FREE pages that still
// count as resident until the kernel wants them (muzzy_decay_ms): about 35 MB less peak RSS for the same
// speed. MALLOC_CONF in the environment still overrides these for one run.
const char *malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

const char *welfare_allocator_version(void) {
    const char *version = NULL;
    size_t size = sizeof(version);
    if (mallctl("version", &version, &size, NULL, 0) != 0) return NULL;
    return version;
}

int welfare_allocator_setting(const char *name, long *value) {
    ssize_t setting = 0;
    size_t size = sizeof(setting);
    int error = mallctl(name, &setting, &size, NULL, 0);
    if (error == 0) *value = (long)setting;
    return error;
}
