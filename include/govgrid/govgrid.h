/* govgrid: the umbrella header. */
#ifndef GOVGRID_H
#define GOVGRID_H

#include "govgrid/core.h"
#include "govgrid/code.h"
#include "govgrid/geo.h"
#include "govgrid/store.h"
#include "govgrid/plan.h"
#include "govgrid/io.h"
#include "govgrid/partition.h"
#include "govgrid/render.h"
#include "govgrid/search.h"
#include "govgrid/locate.h"
#include "govgrid/worktime.h"
#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "govgrid/access.h"
#include "govgrid/view.h"
#include "govgrid/dedup.h"
#include "govgrid/check.h"

#endif
