#ifndef CBENCHMALLOC_H
#define CBENCHMALLOC_H

#include <stddef.h>

/// The bytes malloc has handed out and not taken back: glibc's mallinfo2() arena bytes in use (uordblks) plus
/// mmapped chunks (hblkhd), over every arena. -1 where the C library has no mallinfo2.
long long CBenchMalloc_heapInUse(void);

#endif
