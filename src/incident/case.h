/* Private: an incident as a JSON object, for the views that add to it. */
#ifndef GG_INCIDENT_CASE_H
#define GG_INCIDENT_CASE_H

#include <jansson.h>

#include "govgrid/incident.h"

/* c's fields as gg_case_json writes them (no history); NULL without
 * memory. */
json_t *gg_case_object(const gg_case *c);

#endif
