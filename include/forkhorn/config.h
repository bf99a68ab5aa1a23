/* forkhorn/config.h: the one public header that reads compiler and OS macros.
 * Everything else in include/ and src/ uses the FORKHORN_* macros defined here. */
#ifndef FORKHORN_CONFIG_H
#define FORKHORN_CONFIG_H

#if defined(_WIN32) || defined(__CYGWIN__)
#define FORKHORN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define FORKHORN_EXPORT __attribute__((visibility("default")))
#else
#define FORKHORN_EXPORT
#endif

#ifdef __cplusplus
#define FORKHORN_EXTERN_C extern "C"
#else
#define FORKHORN_EXTERN_C
#endif

#endif
