/* A minimal in-place JSON reader (json.c). Values are pointers into the text. */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>
#include <stdint.h>
const char *json_skip(const char *value, const char *end, int depth);   /* past a value */
const char *json_member(const char *object, const char *end, const char *key);
#define JSON_NOT_TEXT (-1)   /* not a string, bad escape, NUL or lone surrogate */
#define JSON_TOO_LONG (-2)   /* text, but cap bytes (with the NUL) do not hold it */
int json_string(const char *value, const char *end, char *out, size_t cap);
int json_int(const char *value, const char *end, int32_t *out);
const char *json_array_first(const char *array, const char *end);      /* 0 if empty */
const char *json_array_next(const char *element, const char *end);     /* 0 at the end */
#endif
