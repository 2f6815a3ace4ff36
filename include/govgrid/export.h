/* govgrid: symbol visibility for the public API. */
#ifndef GOVGRID_EXPORT_H
#define GOVGRID_EXPORT_H

#if defined(_WIN32)
#  if defined(GOVGRID_BUILDING)
#    define GG_API __declspec(dllexport)
#  else
#    define GG_API
#  endif
#elif defined(__GNUC__)
#  define GG_API __attribute__((visibility("default")))
#else
#  define GG_API
#endif

#if defined(__GNUC__)
#  define GG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define GG_PRINTF(fmt, args)
#endif

#endif
