#ifndef WELFARE_MEMORY_ALLOCATOR_H
#define WELFARE_MEMORY_ALLOCATOR_H

/// The version of the memory allocator this process runs on (jemalloc's own version string),
/// or NULL when malloc is not jemalloc's.
const char *welfare_allocator_version(void);

/// Reads one of jemalloc's signed settings, such as "opt.dirty_decay_ms", into `value`;
/// returns 0 when it could, an error number otherwise.
int welfare_allocator_setting(const char *name, long *value);

#endif
