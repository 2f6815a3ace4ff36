/* Private: the contact an escalation hands an incident to. */
#ifndef GG_INCIDENT_LEVELS_H
#define GG_INCIDENT_LEVELS_H

#include "govgrid/incident.h"

/* The contact of level lv for incident c's place: the level's contact for
 * the division of its scope that holds c (its community, the community's
 * township - the code's first 9 digits -, its county - the first 6), else
 * the level's contact for any division ("*"); "" in name when it has
 * none. */
gg_status gg_case_level_contact(gg_store *store, const gg_case_level *lv, const gg_case *c, char name[64],
                                char phone[32]);

#endif
