/* Fixed texts for status codes, and the version string. */
#include "govgrid/core.h"

const char *gg_status_str(gg_status status)
{
    switch (status) {
    case GG_OK: return "success";
    case GG_ERR_NOMEM: return "out of memory";
    case GG_ERR_ARG: return "invalid argument";
    case GG_ERR_IO: return "input/output error";
    case GG_ERR_FORMAT: return "unreadable or malformed source";
    case GG_ERR_INVALID_INPUT: return "invalid input data";
    case GG_ERR_CRS: return "coordinate reference system error";
    case GG_ERR_GEOMETRY: return "geometry error";
    case GG_ERR_STORE: return "project store error";
    case GG_ERR_SCHEMA: return "not a govgrid project or unsupported schema";
    case GG_ERR_NOT_FOUND: return "not found";
    case GG_ERR_EXISTS: return "already exists";
    case GG_ERR_CANCELLED: return "cancelled";
    case GG_ERR_INTERNAL: return "internal error";
    case GG_ERR_BUSY: return "project locked by another writer";
    }
    return "unknown status";
}

const char *gg_version(void)
{
    return GOVGRID_VERSION_STRING;
}
