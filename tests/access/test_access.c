/* Tests of src/access: API keys and their rights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "govgrid/access.h"
#include "io/fixtures.h"

/* The plan right: parsed in any order, written back as read,write,plan,
 * kept by the keys file and given by the keyring to the key. */
static void keys_take_the_plan_right(void)
{
    gg_ctx *ctx = fx_ctx();
    CHECK_INT(gg_rights_parse(ctx, "plan,read"), GG_RIGHT_READ | GG_RIGHT_PLAN);
    CHECK_INT(gg_rights_parse(ctx, "plan"), GG_RIGHT_PLAN);
    CHECK_INT(gg_rights_parse(ctx, "read,fold"), 0);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not read, write or plan");
    gg_ctx_clear_error(ctx);
    char text[24];
    gg_rights_text(GG_RIGHT_PLAN | GG_RIGHT_READ, text, sizeof text);
    CHECK_STR(text, "read,plan");
    gg_rights_text(GG_RIGHTS_ALL, text, sizeof text);
    CHECK_STR(text, "read,write,plan");
    gg_rights_text(GG_RIGHT_WRITE | GG_RIGHT_PLAN, text, sizeof text);
    CHECK_STR(text, "write,plan");
    char dir[] = "/tmp/gg_keys_XXXXXX", path[64], key[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/keys", dir);
    CHECK_INT(gg_keys_new(ctx, path, "planner", GG_RIGHT_READ | GG_RIGHT_PLAN, key, sizeof key), GG_OK);
    gg_keyring *ring = NULL;
    CHECK_INT(gg_keyring_load(ctx, path, &ring), GG_OK);
    CHECK_INT(gg_keyring_check(ring, key, NULL), GG_RIGHT_READ | GG_RIGHT_PLAN);
    gg_keyring_free(ring);
    CHECK_INT(gg_keys_new(ctx, path, "odd", 64, key, sizeof key), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    remove(path);
    rmdir(dir);
    gg_ctx_free(ctx);
}

TEST_LIST(T(keys_take_the_plan_right))
