/* fuzz_common.h - what every libFuzzer target here shares.  Each target is
 * one .c file that includes this once. */
#ifndef MXRAY_FUZZ_COMMON_H
#define MXRAY_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* UBSan is built recoverable so that a campaign can step over a known,
 * reported issue with UBSAN_OPTIONS=suppressions=FILE; by default every
 * report still ends the run, as with -fno-sanitize-recover. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* Capture bytes become a file without touching the disk: a memfd, opened
 * by mxray through /proc/self/fd/N like any file the user names. */
#ifdef FZ_MEMFD
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* fd, with its path in path[64]; -1 on failure */
static int fz_memfd_open(const char *name, char path[64])
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd >= 0)
		snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

/* The file's content becomes data; 0, or -1 on failure. */
static int fz_memfd_write(int fd, const uint8_t *data, size_t size)
{
	size_t off = 0;
	if (ftruncate(fd, 0) != 0)
		return -1;
	while (off < size) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}
#endif

#endif
