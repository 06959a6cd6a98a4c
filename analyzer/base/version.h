/* version.h - the one place the version lives. */
#ifndef MXRAY_VERSION_H
#define MXRAY_VERSION_H
#define MXRAY_VERSION "0.1.0"
#endif
