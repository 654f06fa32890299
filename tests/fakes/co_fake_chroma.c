/**
 * @file tests/fakes/co_fake_chroma.c
 * @brief The fake Chroma v2 server; see co_fake_chroma.h and WIRE.md 4.
 */
#include "co_fake_chroma.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

typedef struct co__fc_coll_s {
    char *tenant, *database, *name;
    char uuid[37];
    json_t *metadata; /* object or NULL */
    int dimension;    /* 0: not known yet */
    json_t *records;  /* id -> {"embedding","document","metadata"} */
    json_t *order;    /* ids in insertion order */
    struct co__fc_coll_s *next;
} co__fc_coll_t;

struct co_fake_chroma_s {
    pthread_mutex_t mu;
    co__fc_coll_t *colls;
    char *token;
    json_t *databases; /* "tenant/database" -> true; default ones exist */
    int down;
    size_t n_create, n_get, n_add, n_upsert, n_query, n_count, n_dropped;
};

static void co__fc_free(void *p)
{
    co_fake_chroma_t *c = p;
    while (c->colls != NULL) {
        co__fc_coll_t *k = c->colls;
        c->colls = k->next;
        free(k->tenant);
        free(k->database);
        free(k->name);
        json_decref(k->metadata);
        json_decref(k->records);
        json_decref(k->order);
        free(k);
    }
    free(c->token);
    json_decref(c->databases);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void co__fc_error(co_fake_reply_t *reply, int status, const char *name,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void co__fc_error(co_fake_reply_t *reply, int status, const char *name,
                         const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s,s:s}", "error", name, "message", msg);
    char *s = json_dumps(j, JSON_COMPACT);
    co_fake_reply_set(reply, status, "application/json", s);
    free(s);
    json_decref(j);
}

static void co__fc_value(co_fake_reply_t *reply, int status, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    co_fake_reply_set(reply, status, "application/json", s);
    free(s);
    json_decref(v);
}

static void co__fc_new_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        static unsigned seq;
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(time(NULL) + 31 * i + seq++);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
             "%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

static int co__fc_is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Lookups; the caller holds c->mu. */
static co__fc_coll_t *co__fc_by_name(co_fake_chroma_t *c, const char *t,
                                     const char *d, const char *name)
{
    for (co__fc_coll_t *k = c->colls; k != NULL; k = k->next)
        if (strcmp(k->tenant, t) == 0 && strcmp(k->database, d) == 0 &&
            strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static co__fc_coll_t *co__fc_by_uuid(co_fake_chroma_t *c, const char *t,
                                     const char *d, const char *uuid)
{
    for (co__fc_coll_t *k = c->colls; k != NULL; k = k->next)
        if (strcmp(k->tenant, t) == 0 && strcmp(k->database, d) == 0 &&
            strcasecmp(k->uuid, uuid) == 0)
            return k;
    return NULL;
}

/* Databases: default_tenant/default_database, those made with POST
 * .../databases and those of co_fake_chroma_create(). Caller holds c->mu. */
static int co__fc_db_exists(co_fake_chroma_t *c, const char *t, const char *d)
{
    char key[512];
    snprintf(key, sizeof key, "%s/%s", t, d);
    return json_object_get(c->databases, key) != NULL;
}

static void co__fc_db_add(co_fake_chroma_t *c, const char *t, const char *d)
{
    char key[512];
    snprintf(key, sizeof key, "%s/%s", t, d);
    json_object_set_new(c->databases, key, json_true());
}

/* Chroma's rule for collection and database names. */
static int co__fc_valid_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 3 || len > 512 || !isalnum((unsigned char)n[0]) ||
        !isalnum((unsigned char)n[len - 1]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && strchr("._-", n[i]) == NULL)
            return 0;
    return 1;
}

#define CO__FC_NAME_RULE                                                       \
    "Expected a name containing 3-512 characters from [a-zA-Z0-9._-], "        \
    "starting and ending with a character in [a-zA-Z0-9]. Got: %s"

static co__fc_coll_t *co__fc_add_coll(co_fake_chroma_t *c, const char *t,
                                      const char *d, const char *name,
                                      json_t *metadata, int dimension)
{
    co__fc_coll_t *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->tenant = strdup(t);
    k->database = strdup(d);
    k->name = strdup(name);
    co__fc_new_uuid(k->uuid);
    k->metadata = metadata ? json_deep_copy(metadata) : NULL;
    k->dimension = dimension;
    k->records = json_object();
    k->order = json_array();
    k->next = c->colls;
    c->colls = k;
    return k;
}

static json_t *co__fc_coll_json(const co__fc_coll_t *k)
{
    json_t *j =
        json_pack("{s:s,s:s,s:{},s:{},s:O?,s:s,s:s,s:i,s:i}", "id", k->uuid,
                  "name", k->name, "configuration_json", "schema", "metadata",
                  k->metadata, "tenant", k->tenant, "database", k->database,
                  "log_position", 0, "version", 0);
    json_object_set_new(j, "dimension",
                        k->dimension ? json_integer(k->dimension)
                                     : json_null());
    return j;
}

static const char *co__fc_space(const co__fc_coll_t *k)
{
    const char *s =
        json_string_value(json_object_get(k->metadata, "hnsw:space"));
    return s ? s : "l2";
}

static double co__fc_distance(const char *space, json_t *a, json_t *b)
{
    double dot = 0, na = 0, nb = 0, l2 = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        double x = json_number_value(json_array_get(a, i));
        double y = json_number_value(json_array_get(b, i));
        dot += x * y;
        na += x * x;
        nb += y * y;
        l2 += (x - y) * (x - y);
    }
    if (strcmp(space, "cosine") == 0)
        return na > 0 && nb > 0 ? 1.0 - dot / (sqrt(na) * sqrt(nb)) : 1.0;
    if (strcmp(space, "ip") == 0)
        return 1.0 - dot;
    return l2;
}

/* Checks every embedding has the collection's dimension (sets it on the
 * first add). Returns 0 or -1 with the 400 reply set. */
static int co__fc_check_dims(co__fc_coll_t *k, json_t *embs,
                             co_fake_reply_t *reply, int set_dim)
{
    size_t i;
    json_t *e;
    json_array_foreach(embs, i, e)
    {
        if (!json_is_array(e)) {
            co__fc_error(reply, 422, "ChromaError",
                         "Failed to deserialize the JSON body into the "
                         "target type: embeddings: invalid type");
            return -1;
        }
        int dim = (int)json_array_size(e);
        if (k->dimension == 0 && set_dim)
            k->dimension = dim;
        if (k->dimension != 0 && dim != k->dimension) {
            co__fc_error(reply, 400, "InvalidArgumentError",
                         "Collection expecting embedding with dimension of "
                         "%d, got %d",
                         k->dimension, dim);
            return -1;
        }
    }
    return 0;
}

static void co__fc_write(co_fake_chroma_t *c, co__fc_coll_t *k, json_t *body,
                         int upsert, co_fake_reply_t *reply)
{
    json_t *ids = json_object_get(body, "ids");
    json_t *embs = json_object_get(body, "embeddings");
    json_t *docs = json_object_get(body, "documents");
    json_t *metas = json_object_get(body, "metadatas");
    if (!json_is_array(ids)) {
        co__fc_error(reply, 422, "ChromaError",
                     "Failed to deserialize the JSON body into the target "
                     "type: missing field `ids`");
        return;
    }
    if (!json_is_array(embs)) {
        co__fc_error(reply, 422, "ChromaError",
                     "Failed to deserialize the JSON body into the target "
                     "type: missing field `embeddings`");
        return;
    }
    if (json_array_size(embs) != json_array_size(ids) ||
        (json_is_array(docs) &&
         json_array_size(docs) != json_array_size(ids)) ||
        (json_is_array(metas) &&
         json_array_size(metas) != json_array_size(ids))) {
        co__fc_error(reply, 400, "InvalidArgumentError",
                     "Inconsistent number of IDs, embeddings, documents, "
                     "URIs and metadatas");
        return;
    }
    if (co__fc_check_dims(k, embs, reply, 1) != 0)
        return;
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        if (id == NULL) {
            co__fc_error(reply, 422, "ChromaError", "ids must be strings");
            return;
        }
        if (!upsert && json_object_get(k->records, id) != NULL)
            continue; /* add ignores existing ids */
        if (json_object_get(k->records, id) == NULL)
            json_array_append_new(k->order, json_string(id));
        json_t *meta = json_array_get(metas, i);
        json_object_set_new(k->records, id,
                            json_pack("{s:O,s:O?,s:O?}", "embedding",
                                      json_array_get(embs, i), "document",
                                      json_array_get(docs, i), "metadata",
                                      json_is_object(meta) ? meta : NULL));
    }
    if (upsert) {
        c->n_upsert++;
        co__fc_value(reply, 200, json_object());
    } else {
        c->n_add++;
        co__fc_value(reply, 201, json_object());
    }
}

/* A `where` filter: {"k":"v"}, {"k":{"$eq":v}}, {"k":{"$ne":v}}, {"$and":[..]}
 * (what the fake understands; other operators match nothing). */
static int co__fc_where(json_t *where, json_t *meta)
{
    if (!json_is_object(where))
        return 1;
    const char *k;
    json_t *cond;
    json_object_foreach(where, k, cond)
    {
        if (strcmp(k, "$and") == 0) {
            size_t i;
            json_t *w;
            json_array_foreach(cond, i, w) if (!co__fc_where(w, meta)) return 0;
            continue;
        }
        json_t *v = json_object_get(meta, k);
        if (json_is_object(cond)) {
            json_t *eq = json_object_get(cond, "$eq");
            json_t *ne = json_object_get(cond, "$ne");
            if (eq != NULL && !(v != NULL && json_equal(eq, v)))
                return 0;
            if (ne != NULL && v != NULL && json_equal(ne, v))
                return 0;
            if (eq == NULL && ne == NULL)
                return 0;
        } else if (v == NULL || !json_equal(cond, v)) {
            return 0;
        }
    }
    return 1;
}

typedef struct co__fc_hit_s {
    const char *id;
    double d;
} co__fc_hit_t;

static int co__fc_hit_cmp(const void *a, const void *b)
{
    double x = ((const co__fc_hit_t *)a)->d, y = ((const co__fc_hit_t *)b)->d;
    return x < y ? -1 : x > y;
}

static void co__fc_query(co_fake_chroma_t *c, co__fc_coll_t *k, json_t *body,
                         co_fake_reply_t *reply)
{
    json_t *qs = json_object_get(body, "query_embeddings");
    if (!json_is_array(qs)) {
        co__fc_error(reply, 422, "ChromaError",
                     "Failed to deserialize the JSON body into the target "
                     "type: missing field `query_embeddings`");
        return;
    }
    if (co__fc_check_dims(k, qs, reply, 0) != 0)
        return;
    json_t *nr = json_object_get(body, "n_results");
    size_t n = json_is_integer(nr) ? (size_t)json_integer_value(nr) : 10;
    json_t *inc = json_object_get(body, "include");
    if (!json_is_array(inc))
        inc = json_pack("[s,s,s]", "documents", "metadatas", "distances");
    else
        json_incref(inc);
    int want_docs = 0, want_metas = 0, want_dist = 0, want_embs = 0;
    size_t i;
    json_t *v;
    json_array_foreach(inc, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL)
            continue;
        want_docs |= strcmp(s, "documents") == 0;
        want_metas |= strcmp(s, "metadatas") == 0;
        want_dist |= strcmp(s, "distances") == 0;
        want_embs |= strcmp(s, "embeddings") == 0;
    }
    json_t *ids = json_array(), *docs = json_array(), *metas = json_array(),
           *dists = json_array(), *embs = json_array();
    size_t total = json_array_size(k->order);
    co__fc_hit_t *hits = calloc(total ? total : 1, sizeof *hits);
    json_t *q;
    json_array_foreach(qs, i, q)
    {
        size_t m = 0;
        for (size_t r = 0; r < total; r++) {
            const char *id = json_string_value(json_array_get(k->order, r));
            json_t *rec = json_object_get(k->records, id);
            if (!co__fc_where(json_object_get(body, "where"),
                              json_object_get(rec, "metadata")))
                continue;
            hits[m].id = id;
            hits[m++].d = co__fc_distance(co__fc_space(k), q,
                                          json_object_get(rec, "embedding"));
        }
        qsort(hits, m, sizeof *hits, co__fc_hit_cmp);
        json_t *li = json_array(), *ld = json_array(), *lm = json_array(),
               *ldist = json_array(), *le = json_array();
        for (size_t r = 0; r < m && r < n; r++) {
            json_t *rec = json_object_get(k->records, hits[r].id);
            json_array_append_new(li, json_string(hits[r].id));
            json_t *doc = json_object_get(rec, "document");
            json_array_append_new(ld, doc ? json_incref(doc) : json_null());
            json_t *meta = json_object_get(rec, "metadata");
            json_array_append_new(lm, meta ? json_incref(meta) : json_null());
            json_array_append_new(ldist, json_real(hits[r].d));
            json_array_append(le, json_object_get(rec, "embedding"));
        }
        json_array_append_new(ids, li);
        json_array_append_new(docs, ld);
        json_array_append_new(metas, lm);
        json_array_append_new(dists, ldist);
        json_array_append_new(embs, le);
    }
    free(hits);
    json_t *out =
        json_pack("{s:o,s:n,s:O}", "ids", ids, "uris", "include", inc);
    json_object_set_new(out, "documents", want_docs ? docs : json_null());
    json_object_set_new(out, "metadatas", want_metas ? metas : json_null());
    json_object_set_new(out, "distances", want_dist ? dists : json_null());
    json_object_set_new(out, "embeddings", want_embs ? embs : json_null());
    if (!want_docs)
        json_decref(docs);
    if (!want_metas)
        json_decref(metas);
    if (!want_dist)
        json_decref(dists);
    if (!want_embs)
        json_decref(embs);
    json_decref(inc);
    c->n_query++;
    co__fc_value(reply, 200, out);
}

static int co__fc_authorized(co_fake_chroma_t *c, const co_fake_request_t *req)
{
    if (c->token == NULL)
        return 1;
    const char *x = co_fake_request_header(req, "x-chroma-token");
    if (x != NULL && strcmp(x, c->token) == 0)
        return 1;
    const char *a = co_fake_request_header(req, "Authorization");
    return a != NULL && strncmp(a, "Bearer ", 7) == 0 &&
           strcmp(a + 7, c->token) == 0;
}

/* Everything under /api/v2/tenants/. Holds c->mu throughout. */
static void co__fc_tenants(co_fake_t *f, const co_fake_request_t *req,
                           co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_chroma_t *c = ud;
    pthread_mutex_lock(&c->mu);
    if (c->down) {
        c->n_dropped++;
        reply->drop = 1;
        pthread_mutex_unlock(&c->mu);
        return;
    }
    if (!co__fc_authorized(c, req)) {
        co__fc_error(reply, 401, "ChromaError", "Unauthorized");
        pthread_mutex_unlock(&c->mu);
        return;
    }
    /* tenants/{t}/databases/{d}/collections[/{x}[/{op}]] */
    char *path = strdup(req->path + strlen("/api/v2/tenants/"));
    char *seg[6] = {0};
    int n = 0;
    for (char *save = NULL, *s = strtok_r(path, "/", &save); s && n < 6;
         s = strtok_r(NULL, "/", &save))
        seg[n++] = s;
    json_t *body = NULL;
    int databases = n == 2 && strcmp(seg[1], "databases") == 0;
    if (!databases && (n < 4 || strcmp(seg[1], "databases") != 0 ||
                       strcmp(seg[3], "collections") != 0)) {
        co_fake_reply_set(reply, 404, "text/plain", "");
        goto out;
    }
    const char *t = seg[0], *d = databases ? "" : seg[2];
    if (!databases && strlen(d) < 3) {
        co__fc_error(reply, 400, "InvalidArgumentError",
                     "database name must be at least 3 characters");
        goto out;
    }
    const char *ct = co_fake_request_header(req, "Content-Type");
    if (strcmp(req->method, "POST") == 0 &&
        (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)) {
        co__fc_error(reply, 415, "ChromaError",
                     "Expected request with `Content-Type: application/json`");
        goto out;
    }
    if (strcmp(req->method, "POST") == 0 && req->body_len > 0) {
        json_error_t err;
        body = json_loadb(req->body, req->body_len, 0, &err);
        if (!json_is_object(body)) {
            co__fc_error(reply, 400, "InvalidArgumentError",
                         "Failed to parse the request body as JSON: %s",
                         err.text);
            goto out;
        }
    }
    if (databases) { /* POST /api/v2/tenants/{t}/databases {"name"} */
        const char *name = json_string_value(json_object_get(body, "name"));
        if (strcmp(req->method, "POST") != 0)
            co_fake_reply_set(reply, 405, "text/plain", "");
        else if (name == NULL)
            co__fc_error(reply, 422, "ChromaError",
                         "Failed to deserialize the JSON body into the "
                         "target type: missing field `name`");
        else if (!co__fc_valid_name(name))
            co__fc_error(reply, 400, "InvalidArgumentError", CO__FC_NAME_RULE,
                         name);
        else if (co__fc_db_exists(c, t, name))
            co__fc_error(reply, 409, "ChromaError",
                         "Database [%s] already exists", name);
        else {
            co__fc_db_add(c, t, name);
            co__fc_value(reply, 200, json_object());
        }
        goto out;
    }
    if (n == 4) {
        if (strcmp(req->method, "GET") == 0) {
            json_t *arr = json_array();
            for (co__fc_coll_t *k = c->colls; k != NULL; k = k->next)
                if (strcmp(k->tenant, t) == 0 && strcmp(k->database, d) == 0)
                    json_array_append_new(arr, co__fc_coll_json(k));
            co__fc_value(reply, 200, arr);
        } else if (strcmp(req->method, "POST") == 0) {
            const char *name = json_string_value(json_object_get(body, "name"));
            if (name == NULL) {
                co__fc_error(reply, 422, "ChromaError",
                             "Failed to deserialize the JSON body into the "
                             "target type: missing field `name`");
                goto out;
            }
            if (!co__fc_valid_name(name)) {
                co__fc_error(reply, 400, "InvalidArgumentError",
                             "Validation error: name: " CO__FC_NAME_RULE, name);
                goto out;
            }
            if (!co__fc_db_exists(c, t, d)) {
                co__fc_error(reply, 400, "InvalidArgumentError",
                             "Database [%s] does not exist", d);
                goto out;
            }
            co__fc_coll_t *k = co__fc_by_name(c, t, d, name);
            if (k != NULL &&
                !json_is_true(json_object_get(body, "get_or_create"))) {
                co__fc_error(reply, 409, "ChromaError",
                             "Collection [%s] already exists", name);
                goto out;
            }
            if (k == NULL) {
                json_t *meta = json_object_get(body, "metadata");
                k = co__fc_add_coll(c, t, d, name,
                                    json_is_object(meta) ? meta : NULL, 0);
            }
            c->n_create++;
            co__fc_value(reply, 200, co__fc_coll_json(k));
        } else {
            co_fake_reply_set(reply, 405, "text/plain", "");
        }
        goto out;
    }
    if (n == 5) {
        if (strcmp(req->method, "GET") != 0) {
            co_fake_reply_set(reply, 405, "text/plain", "");
            goto out;
        }
        co__fc_coll_t *k = co__fc_by_name(c, t, d, seg[4]);
        if (k == NULL)
            co__fc_error(reply, 404, "NotFoundError",
                         "Collection [%s] does not exist", seg[4]);
        else {
            c->n_get++;
            co__fc_value(reply, 200, co__fc_coll_json(k));
        }
        goto out;
    }
    if (!co__fc_is_uuid(seg[4])) {
        co__fc_error(reply, 400, "InvalidArgumentError",
                     "Collection ID is not a valid UUIDv4");
        goto out;
    }
    co__fc_coll_t *k = co__fc_by_uuid(c, t, d, seg[4]);
    if (k == NULL) {
        co__fc_error(reply, 404, "NotFoundError",
                     "Collection [%s] does not exist.", seg[4]);
        goto out;
    }
    const char *op = seg[5];
    if (strcmp(op, "count") == 0 && strcmp(req->method, "GET") == 0) {
        c->n_count++;
        co__fc_value(reply, 200,
                     json_integer((json_int_t)json_array_size(k->order)));
    } else if (strcmp(req->method, "POST") != 0) {
        co_fake_reply_set(reply, 405, "text/plain", "");
    } else if (body == NULL) {
        co__fc_error(reply, 400, "InvalidArgumentError",
                     "Failed to parse the request body as JSON: EOF while "
                     "parsing a value at line 1 column 0");
    } else if (strcmp(op, "add") == 0 || strcmp(op, "upsert") == 0) {
        co__fc_write(c, k, body, strcmp(op, "upsert") == 0, reply);
    } else if (strcmp(op, "query") == 0) {
        co__fc_query(c, k, body, reply);
    } else {
        co_fake_reply_set(reply, 404, "text/plain", "");
    }
out:
    json_decref(body);
    free(path);
    pthread_mutex_unlock(&c->mu);
}

static void co__fc_heartbeat(co_fake_t *f, const co_fake_request_t *req,
                             co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_chroma_t *c = ud;
    pthread_mutex_lock(&c->mu);
    int down = c->down;
    if (down)
        c->n_dropped++;
    pthread_mutex_unlock(&c->mu);
    if (down) {
        reply->drop = 1;
        return;
    }
    if (strcmp(req->path, "/api/v2/version") == 0) {
        co_fake_reply_set(reply, 200, "application/json", "\"1.0.0\"");
        return;
    }
    if (strcmp(req->path, "/api/v2/healthcheck") == 0) {
        co_fake_reply_set(reply, 200, "application/json",
                          "{\"is_executor_ready\":true,"
                          "\"is_log_client_ready\":true}");
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    co_fake_reply_json(reply, 200, "{\"nanosecond heartbeat\":%lld}",
                       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static void co__fc_v1(co_fake_t *f, const co_fake_request_t *req,
                      co_fake_reply_t *reply, void *ud)
{
    (void)f;
    (void)req;
    (void)ud;
    co__fc_error(reply, 410, "Unimplemented",
                 "The v1 API is deprecated. Please use /v2 apis");
}

co_fake_chroma_t *co_fake_chroma_install(co_fake_t *f)
{
    co_fake_chroma_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->databases = json_object();
    co__fc_db_add(c, "default_tenant", "default_database");
    if (co_fake_attach(f, c, co__fc_free) != 0) {
        co__fc_free(c);
        return NULL;
    }
    if (co_fake_route(f, "GET", "/api/v2/heartbeat", co__fc_heartbeat, c) ||
        co_fake_route(f, "GET", "/api/v2/version", co__fc_heartbeat, c) ||
        co_fake_route(f, "GET", "/api/v2/healthcheck", co__fc_heartbeat, c) ||
        co_fake_route(f, NULL, "/api/v2/tenants/*", co__fc_tenants, c) ||
        co_fake_route(f, NULL, "/api/v1/*", co__fc_v1, c))
        return NULL;
    return c;
}

void co_fake_chroma_set_token(co_fake_chroma_t *c, const char *token)
{
    pthread_mutex_lock(&c->mu);
    free(c->token);
    c->token = token ? strdup(token) : NULL;
    pthread_mutex_unlock(&c->mu);
}

void co_fake_chroma_set_down(co_fake_chroma_t *c, int down)
{
    pthread_mutex_lock(&c->mu);
    c->down = down;
    pthread_mutex_unlock(&c->mu);
}

int co_fake_chroma_create(co_fake_chroma_t *c, const char *tenant,
                          const char *database, const char *name, int dimension,
                          char uuid_out[37])
{
    pthread_mutex_lock(&c->mu);
    co__fc_coll_t *k = NULL;
    co__fc_db_add(c, tenant, database);
    if (co__fc_by_name(c, tenant, database, name) == NULL) {
        json_t *meta = json_pack("{s:s}", "hnsw:space", "cosine");
        k = co__fc_add_coll(c, tenant, database, name, meta, dimension);
        json_decref(meta);
    }
    if (k != NULL && uuid_out != NULL)
        memcpy(uuid_out, k->uuid, 37);
    pthread_mutex_unlock(&c->mu);
    return k ? 0 : -1;
}

int co_fake_chroma_uuid(co_fake_chroma_t *c, const char *tenant,
                        const char *database, const char *name,
                        char uuid_out[37])
{
    pthread_mutex_lock(&c->mu);
    co__fc_coll_t *k = co__fc_by_name(c, tenant, database, name);
    if (k != NULL)
        memcpy(uuid_out, k->uuid, 37);
    pthread_mutex_unlock(&c->mu);
    return k ? 0 : -1;
}

long co_fake_chroma_count(co_fake_chroma_t *c, const char *tenant,
                          const char *database, const char *name)
{
    pthread_mutex_lock(&c->mu);
    co__fc_coll_t *k = co__fc_by_name(c, tenant, database, name);
    long n = k ? (long)json_array_size(k->order) : -1;
    pthread_mutex_unlock(&c->mu);
    return n;
}

char *co_fake_chroma_record(co_fake_chroma_t *c, const char *tenant,
                            const char *database, const char *name,
                            const char *id)
{
    char *s = NULL;
    pthread_mutex_lock(&c->mu);
    co__fc_coll_t *k = co__fc_by_name(c, tenant, database, name);
    json_t *rec = k ? json_object_get(k->records, id) : NULL;
    if (rec != NULL) {
        json_t *j = json_deep_copy(rec);
        json_object_set_new(j, "id", json_string(id));
        s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
    }
    pthread_mutex_unlock(&c->mu);
    return s;
}

size_t co_fake_chroma_ops(co_fake_chroma_t *c, const char *op)
{
    pthread_mutex_lock(&c->mu);
    size_t n = strcmp(op, "create") == 0    ? c->n_create
               : strcmp(op, "get") == 0     ? c->n_get
               : strcmp(op, "add") == 0     ? c->n_add
               : strcmp(op, "upsert") == 0  ? c->n_upsert
               : strcmp(op, "query") == 0   ? c->n_query
               : strcmp(op, "count") == 0   ? c->n_count
               : strcmp(op, "dropped") == 0 ? c->n_dropped
                                            : 0;
    pthread_mutex_unlock(&c->mu);
    return n;
}
