/* Per-partition acknowledgement tracking and commit positions. */
#include "offtrack.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CO__SEQ_BITS 40
#define CO__SEQ_MASK ((1ULL << CO__SEQ_BITS) - 1)

size_t co_offtrack_part(co_offtrack_t *t, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < t->n_parts; i++)
        if (t->parts[i].partition == partition &&
            strcmp(t->parts[i].topic, topic) == 0)
            return i;
    co_offtrack_part_t *v = realloc(t->parts, (t->n_parts + 1) * sizeof *v);
    if (v == NULL)
        abort();
    t->parts = v;
    co_offtrack_part_t *p = &t->parts[t->n_parts];
    memset(p, 0, sizeof *p);
    p->topic = co_strdup(topic);
    p->partition = partition;
    p->done = -1;
    return t->n_parts++;
}

static co_offtrack_part_t *co__tok(co_offtrack_t *t, uint64_t token,
                                   uint64_t *seq)
{
    uint64_t idx = token >> CO__SEQ_BITS;
    if (idx == 0 || idx > t->n_parts)
        return NULL;
    co_offtrack_part_t *p = &t->parts[idx - 1];
    *seq = token & CO__SEQ_MASK;
    if (*seq < (p->head & CO__SEQ_MASK) || *seq >= (p->tail & CO__SEQ_MASK))
        return NULL; /* abandoned by a reset, or not ours */
    return p;
}

/* The ring slot of sequence number s. */
static co_offtrack_ent_t *co__at(const co_offtrack_part_t *p, uint64_t s)
{
    return &p->ring[s & (p->cap - 1)];
}

/* The entry of a token, its partition in *pp and sequence number in *seq;
 * NULL when co__tok() finds none. */
static co_offtrack_ent_t *co__ent(co_offtrack_t *t, uint64_t token,
                                  co_offtrack_part_t **pp, uint64_t *seq)
{
    *pp = co__tok(t, token, seq);
    return *pp != NULL ? co__at(*pp, *seq) : NULL;
}

static void co__grow(co_offtrack_part_t *p)
{
    uint64_t ncap = p->cap ? p->cap * 2 : 1024;
    co_offtrack_ent_t *n = co_xcalloc(ncap, sizeof *n);
    for (uint64_t s = p->head; s < p->tail; s++)
        n[s & (ncap - 1)] = *co__at(p, s);
    free(p->ring);
    p->ring = n;
    p->cap = ncap;
}

/* Move done over the finished prefix. */
static void co__advance(co_offtrack_part_t *p)
{
    while (p->head < p->tail) {
        co_offtrack_ent_t *e = co__at(p, p->head);
        if (e->pending > 0 || e->held)
            break;
        p->done = e->offset + 1;
        p->dirty = 1;
        p->head++;
    }
}

uint64_t co_offtrack_push(co_offtrack_t *t, size_t idx, int64_t offset)
{
    co_offtrack_part_t *p = &t->parts[idx];
    if (p->tail - p->head >= p->cap)
        co__grow(p);
    if (p->done < 0)
        p->done = offset; /* committing it re-reads nothing we skipped */
    uint64_t seq = p->tail++;
    co_offtrack_ent_t *e = co__at(p, seq);
    e->offset = offset;
    e->pending = 0;
    e->held = 1;
    t->held++;
    return ((uint64_t)(idx + 1) << CO__SEQ_BITS) | (seq & CO__SEQ_MASK);
}

void co_offtrack_output(co_offtrack_t *t, uint64_t token)
{
    uint64_t seq;
    co_offtrack_part_t *p;
    co_offtrack_ent_t *e = co__ent(t, token, &p, &seq);
    if (e)
        e->pending++;
}

void co_offtrack_ack(co_offtrack_t *t, uint64_t token, int ok)
{
    uint64_t seq;
    co_offtrack_part_t *p;
    co_offtrack_ent_t *e = co__ent(t, token, &p, &seq);
    if (e == NULL)
        return;
    if (!ok) {
        p->failed = 1; /* the entry keeps its pending count: blocked */
        t->any_failed = 1;
        return;
    }
    if (e->pending > 0)
        e->pending--;
    co__advance(p);
}

void co_offtrack_release(co_offtrack_t *t, uint64_t token)
{
    uint64_t seq;
    co_offtrack_part_t *p;
    co_offtrack_ent_t *e = co__ent(t, token, &p, &seq);
    if (e == NULL)
        return;
    if (e->held == 1) {
        e->held = 0;
        t->held--;
    }
    co__advance(p);
}

void co_offtrack_release_all(co_offtrack_t *t, uint64_t except)
{
    uint64_t es = 0;
    co_offtrack_part_t *ep;
    co_offtrack_ent_t *ee =
        except == CO_OFFTRACK_NONE ? NULL : co__ent(t, except, &ep, &es);
    int keep = ee != NULL && ee->held == 1;
    if (keep)
        ee->held = 3; /* not released below; held again after */
    for (size_t i = 0; i < t->n_parts; i++) {
        co_offtrack_part_t *p = &t->parts[i];
        for (uint64_t s = p->head; s < p->tail; s++)
            if (co__at(p, s)->held == 1)
                co__at(p, s)->held = 0;
        co__advance(p);
    }
    if (keep)
        ee->held = 1;
    t->held = keep ? 1 : 0;
}

void co_offtrack_unpush(co_offtrack_t *t, uint64_t token)
{
    uint64_t seq;
    co_offtrack_part_t *p;
    co_offtrack_ent_t *e = co__ent(t, token, &p, &seq);
    if (e == NULL)
        return;
    if (((p->tail - 1) & CO__SEQ_MASK) != seq || e->held != 1 ||
        e->pending > 0) {
        co_offtrack_abandon(t, token); /* not the last: never committed */
        return;
    }
    p->tail--;
    t->held--;
}

void co_offtrack_abandon(co_offtrack_t *t, uint64_t token)
{
    uint64_t seq;
    co_offtrack_part_t *p;
    co_offtrack_ent_t *e = co__ent(t, token, &p, &seq);
    if (e == NULL)
        return;
    if (e->held == 1 && t->held > 0)
        t->held--;
    e->held = 2;
}

void co_offtrack_reset(co_offtrack_t *t, size_t idx)
{
    co_offtrack_part_t *p = &t->parts[idx];
    for (uint64_t s = p->head; s < p->tail; s++)
        if (co__at(p, s)->held == 1 && t->held > 0)
            t->held--;
    p->head = p->tail;
    p->failed = 0;
    t->any_failed = 0;
    for (size_t i = 0; i < t->n_parts; i++)
        if (t->parts[i].failed)
            t->any_failed = 1;
}

uint64_t co_offtrack_inflight(const co_offtrack_t *t, size_t idx)
{
    return t->parts[idx].tail - t->parts[idx].head;
}

int co_offtrack_take_dirty(co_offtrack_t *t, size_t *idx)
{
    for (size_t i = *idx; i < t->n_parts; i++)
        if (t->parts[i].dirty) {
            t->parts[i].dirty = 0;
            *idx = i;
            return 1;
        }
    return 0;
}

void co_offtrack_mark_all_dirty(co_offtrack_t *t)
{
    for (size_t i = 0; i < t->n_parts; i++)
        if (t->parts[i].done >= 0)
            t->parts[i].dirty = 1;
}

void co_offtrack_free(co_offtrack_t *t)
{
    for (size_t i = 0; i < t->n_parts; i++) {
        free(t->parts[i].topic);
        free(t->parts[i].ring);
    }
    free(t->parts);
    memset(t, 0, sizeof *t);
}

int co_offtrack_lost(int64_t next, int64_t got, int64_t log_start,
                     int64_t committed, int64_t *from, int64_t *to)
{
    if (next < 0 || got <= next || log_start <= next)
        return 0;
    int64_t start = committed > next ? committed : next;
    int64_t end = log_start < got ? log_start : got;
    if (end <= start)
        return 0;
    *from = start;
    *to = end;
    return 1;
}
