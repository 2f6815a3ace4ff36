/* Private: the plan checker's files share the public header's types. */
#ifndef GG_CHECK_CHECK_H
#define GG_CHECK_CHECK_H

#include "core/ctx.h"
#include "govgrid/check.h"

#endif
