/* fuzz_common.h - what every libFuzzer target here shares.  Each target is
 * one .c file that includes this once. */
#ifndef MXRAY_FUZZ_COMMON_H
#define MXRAY_FUZZ_COMMON_H

/* UBSan is built recoverable so that a campaign can step over a known,
 * reported issue with UBSAN_OPTIONS=suppressions=FILE; by default every
 * report still ends the run, as with -fno-sanitize-recover. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#endif
