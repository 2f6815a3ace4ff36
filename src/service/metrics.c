/* /metrics in the Prometheus text format: requests, errors and latency by
 * route, incidents stored, requests in flight. Counters are updated with
 * atomic adds; a scrape reads them without a lock. */
#define _GNU_SOURCE /* open_memstream */
#include "service/service.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const route_names[ROUTE_COUNT] = {
    "unmatched", "healthz", "metrics", "locate_get", "locate_post", "grids", "grid", "open311_services",
    "open311_service", "open311_requests_post", "open311_requests_get", "open311_request_get", "static",
    "plans", "search", "depts", "dept_grids", "conflicts",
    "tiles", "palette", "communities", "key", "plan", "plan_edit", "plan_diff", "plan_grid", "case",
    "open311_updates_get", "open311_updates_post", "cases",
};

/* Upper bounds of the latency buckets, in seconds. */
static const double bucket_s[GG_LATENCY_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,  0.1,    0.25,  1.0};

void gg_metrics_record(gg_service *svc, int route, int status, uint64_t micros)
{
    if (route < 0 || route >= ROUTE_COUNT)
        route = ROUTE_NONE;
    gg_route_metrics *m = &svc->routes[route];
    __atomic_add_fetch(&m->requests, 1, __ATOMIC_RELAXED);
    if (status >= 400 && status < 500)
        __atomic_add_fetch(&m->errors_4xx, 1, __ATOMIC_RELAXED);
    else if (status >= 500)
        __atomic_add_fetch(&m->errors_5xx, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->latency_sum_us, micros, __ATOMIC_RELAXED);
    double s = (double)micros / 1e6;
    int b = 0;
    while (b < GG_LATENCY_BUCKETS && s > bucket_s[b])
        b++;
    __atomic_add_fetch(&m->latency_bucket[b], 1, __ATOMIC_RELAXED);
}

void gg_metrics_text(gg_service *svc, gg_reply *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        gg_reply_error(out, 500, "out of memory");
        return;
    }
    fputs("# HELP govgrid_http_requests_total HTTP requests answered, by route and status class.\n"
          "# TYPE govgrid_http_requests_total counter\n",
          f);
    for (int r = 0; r < ROUTE_COUNT; r++) {
        gg_route_metrics *m = &svc->routes[r];
        uint64_t all = __atomic_load_n(&m->requests, __ATOMIC_RELAXED);
        uint64_t e4 = __atomic_load_n(&m->errors_4xx, __ATOMIC_RELAXED);
        uint64_t e5 = __atomic_load_n(&m->errors_5xx, __ATOMIC_RELAXED);
        fprintf(f, "govgrid_http_requests_total{route=\"%s\",class=\"2xx\"} %llu\n", route_names[r],
                (unsigned long long)(all - e4 - e5));
        fprintf(f, "govgrid_http_requests_total{route=\"%s\",class=\"4xx\"} %llu\n", route_names[r],
                (unsigned long long)e4);
        fprintf(f, "govgrid_http_requests_total{route=\"%s\",class=\"5xx\"} %llu\n", route_names[r],
                (unsigned long long)e5);
    }
    fputs("# HELP govgrid_http_request_duration_seconds Time to answer, by route.\n"
          "# TYPE govgrid_http_request_duration_seconds histogram\n",
          f);
    for (int r = 0; r < ROUTE_COUNT; r++) {
        gg_route_metrics *m = &svc->routes[r];
        uint64_t cum = 0;
        for (int b = 0; b <= GG_LATENCY_BUCKETS; b++) {
            cum += __atomic_load_n(&m->latency_bucket[b], __ATOMIC_RELAXED);
            if (b < GG_LATENCY_BUCKETS)
                fprintf(f, "govgrid_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                        route_names[r], bucket_s[b], (unsigned long long)cum);
            else
                fprintf(f, "govgrid_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                        route_names[r], (unsigned long long)cum);
        }
        fprintf(f, "govgrid_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_names[r],
                (double)__atomic_load_n(&m->latency_sum_us, __ATOMIC_RELAXED) / 1e6);
        fprintf(f, "govgrid_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route_names[r],
                (unsigned long long)cum);
    }
    fprintf(f,
            "# HELP govgrid_incidents_stored_total Incidents committed to the store by this process.\n"
            "# TYPE govgrid_incidents_stored_total counter\n"
            "govgrid_incidents_stored_total %llu\n"
            "# HELP govgrid_http_requests_in_flight Requests being answered.\n"
            "# TYPE govgrid_http_requests_in_flight gauge\n"
            "govgrid_http_requests_in_flight %lld\n",
            (unsigned long long)__atomic_load_n(&svc->incidents_stored, __ATOMIC_RELAXED),
            (long long)__atomic_load_n(&svc->active, __ATOMIC_RELAXED));
    gg_served_plan *plan = gg_served_get(svc);
    fprintf(f,
            "# HELP govgrid_plan The plan the service answers from (published: 1 for the published plan, 0 for the\n"
            "# newest when none is published).\n"
            "# TYPE govgrid_plan gauge\n"
            "govgrid_plan{published=\"%d\"} %lld\n"
            "# HELP govgrid_plan_switches_total Publications the service switched to since it started.\n"
            "# TYPE govgrid_plan_switches_total counter\n"
            "govgrid_plan_switches_total %llu\n",
            plan->published, (long long)plan->plan,
            (unsigned long long)__atomic_load_n(&svc->plan_switches, __ATOMIC_RELAXED));
    gg_served_put(svc, plan);
    fclose(f);
    gg_reply_text(out, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
