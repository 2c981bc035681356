/*
 * A small JSON reader for the conformance cases: objects, arrays, strings
 * (with \uXXXX escapes into UTF-8), integers, true/false/null. Enough for
 * files the core writes; not a general parser (no floats, no depth limit
 * beyond the input's own).
 */
#ifndef CONCERT_TEST_JSON_H
#define CONCERT_TEST_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    long long integer;   /* JSON_INT, JSON_BOOL (0 or 1) */
    char *string;        /* JSON_STRING; member name when inside an object */
    char *key;           /* the member's name, inside an object */
    struct json *first;  /* JSON_ARRAY, JSON_OBJECT: first child */
    struct json *next;   /* next sibling */
};

struct json_reader {
    const char *at;
    int failed;
};

static void json_free(struct json *j) {
    while (j != NULL) {
        struct json *next = j->next;
        json_free(j->first);
        free(j->string);
        free(j->key);
        free(j);
        j = next;
    }
}

static void json_space(struct json_reader *r) {
    while (*r->at == ' ' || *r->at == '\n' || *r->at == '\r' || *r->at == '\t') {
        r->at++;
    }
}

static void json_put_utf8(char **out, unsigned code) {
    if (code < 0x80) {
        *(*out)++ = (char)code;
    } else if (code < 0x800) {
        *(*out)++ = (char)(0xC0 | (code >> 6));
        *(*out)++ = (char)(0x80 | (code & 0x3F));
    } else {
        *(*out)++ = (char)(0xE0 | (code >> 12));
        *(*out)++ = (char)(0x80 | ((code >> 6) & 0x3F));
        *(*out)++ = (char)(0x80 | (code & 0x3F));
    }
}

static char *json_read_string(struct json_reader *r) {
    if (*r->at != '"') {
        r->failed = 1;
        return NULL;
    }
    r->at++;
    size_t cap = strlen(r->at) + 1;
    char *text = malloc(cap);
    char *out = text;
    if (text == NULL) {
        r->failed = 1;
        return NULL;
    }
    while (*r->at != '"') {
        if (*r->at == '\0') {
            r->failed = 1;
            break;
        }
        if (*r->at != '\\') {
            *out++ = *r->at++;
            continue;
        }
        r->at++;
        char c = *r->at++;
        switch (c) {
        case 'n': *out++ = '\n'; break;
        case 't': *out++ = '\t'; break;
        case 'r': *out++ = '\r'; break;
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case 'u': {
            unsigned code = 0;
            for (int i = 0; i < 4; i++) {
                char h = *r->at++;
                code <<= 4;
                if (h >= '0' && h <= '9') code |= (unsigned)(h - '0');
                else if (h >= 'a' && h <= 'f') code |= (unsigned)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') code |= (unsigned)(h - 'A' + 10);
                else r->failed = 1;
            }
            json_put_utf8(&out, code);
            break;
        }
        default: *out++ = c; break;
        }
    }
    if (*r->at == '"') {
        r->at++;
    }
    *out = '\0';
    return text;
}

static struct json *json_value(struct json_reader *r);

static struct json *json_children(struct json_reader *r, struct json *parent, char close, int named) {
    struct json **tail = &parent->first;
    json_space(r);
    if (*r->at == close) {
        r->at++;
        return parent;
    }
    while (!r->failed) {
        char *key = NULL;
        if (named) {
            json_space(r);
            key = json_read_string(r);
            json_space(r);
            if (*r->at++ != ':') r->failed = 1;
        }
        struct json *child = json_value(r);
        if (child == NULL) {
            free(key);
            r->failed = 1;
            break;
        }
        child->key = key;
        *tail = child;
        tail = &child->next;
        json_space(r);
        if (*r->at == ',') {
            r->at++;
        } else if (*r->at == close) {
            r->at++;
            break;
        } else {
            r->failed = 1;
        }
    }
    return parent;
}

static struct json *json_value(struct json_reader *r) {
    json_space(r);
    struct json *j = calloc(1, sizeof *j);
    if (j == NULL) {
        r->failed = 1;
        return NULL;
    }
    char c = *r->at;
    if (c == '{') {
        r->at++;
        j->type = JSON_OBJECT;
        return json_children(r, j, '}', 1);
    }
    if (c == '[') {
        r->at++;
        j->type = JSON_ARRAY;
        return json_children(r, j, ']', 0);
    }
    if (c == '"') {
        j->type = JSON_STRING;
        j->string = json_read_string(r);
        return j;
    }
    if (strncmp(r->at, "null", 4) == 0) {
        r->at += 4;
        j->type = JSON_NULL;
        return j;
    }
    if (strncmp(r->at, "true", 4) == 0 || strncmp(r->at, "false", 5) == 0) {
        j->type = JSON_BOOL;
        j->integer = *r->at == 't';
        r->at += j->integer ? 4 : 5;
        return j;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end = NULL;
        j->type = JSON_INT;
        j->integer = strtoll(r->at, &end, 10);
        r->at = end;
        return j;
    }
    r->failed = 1;
    free(j);
    return NULL;
}

/* The whole file at `path`, parsed; NULL when unreadable or malformed. */
static struct json *json_load(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        fclose(f);
        return NULL;
    }
    fclose(f);
    text[size] = '\0';
    struct json_reader r = {text, 0};
    struct json *root = json_value(&r);
    free(text);
    if (r.failed) {
        json_free(root);
        return NULL;
    }
    return root;
}

/* The member `key` of an object, or NULL. */
static const struct json *json_get(const struct json *object, const char *key) {
    if (object == NULL || object->type != JSON_OBJECT) {
        return NULL;
    }
    for (const struct json *m = object->first; m != NULL; m = m->next) {
        if (m->key != NULL && strcmp(m->key, key) == 0) {
            return m;
        }
    }
    return NULL;
}

/* The string member `key`, or NULL. */
static const char *json_text(const struct json *object, const char *key) {
    const struct json *m = json_get(object, key);
    return m != NULL && m->type == JSON_STRING ? m->string : NULL;
}

#endif /* CONCERT_TEST_JSON_H */
