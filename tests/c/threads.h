/*
 * Just enough threads for the C tests, on Linux and on Windows (mingw has
 * no C11 <threads.h>): start a function on a thread of its own, join it,
 * and a mutex.
 */
#ifndef CONCERT_TEST_THREADS_H
#define CONCERT_TEST_THREADS_H

#ifdef _WIN32
#include <windows.h>

typedef HANDLE test_thread;

struct test_thread_start {
    void (*fn)(void *);
    void *arg;
};

static DWORD WINAPI test_thread_main(LPVOID p) {
    struct test_thread_start start = *(struct test_thread_start *)p;
    HeapFree(GetProcessHeap(), 0, p);
    start.fn(start.arg);
    return 0;
}

/* Starts fn(arg) on a new thread; 0 on success. */
static inline int test_thread_start(test_thread *t, void (*fn)(void *), void *arg) {
    struct test_thread_start *start = HeapAlloc(GetProcessHeap(), 0, sizeof *start);
    if (start == NULL) {
        return -1;
    }
    start->fn = fn;
    start->arg = arg;
    *t = CreateThread(NULL, 0, test_thread_main, start, 0, NULL);
    if (*t == NULL) {
        HeapFree(GetProcessHeap(), 0, start);
        return -1;
    }
    return 0;
}

/* Waits for the thread to end. */
static inline void test_thread_join(test_thread t) {
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}

typedef CRITICAL_SECTION test_mutex;
static inline void test_mutex_init(test_mutex *m) { InitializeCriticalSection(m); }
static inline void test_mutex_lock(test_mutex *m) { EnterCriticalSection(m); }
static inline void test_mutex_unlock(test_mutex *m) { LeaveCriticalSection(m); }
static inline void test_mutex_destroy(test_mutex *m) { DeleteCriticalSection(m); }

#else
#include <pthread.h>
#include <stdlib.h>

typedef pthread_t test_thread;

struct test_thread_start {
    void (*fn)(void *);
    void *arg;
};

static void *test_thread_main(void *p) {
    struct test_thread_start start = *(struct test_thread_start *)p;
    free(p);
    start.fn(start.arg);
    return NULL;
}

/* Starts fn(arg) on a new thread; 0 on success. */
static inline int test_thread_start(test_thread *t, void (*fn)(void *), void *arg) {
    struct test_thread_start *start = malloc(sizeof *start);
    if (start == NULL) {
        return -1;
    }
    start->fn = fn;
    start->arg = arg;
    if (pthread_create(t, NULL, test_thread_main, start) != 0) {
        free(start);
        return -1;
    }
    return 0;
}

/* Waits for the thread to end. */
static inline void test_thread_join(test_thread t) {
    pthread_join(t, NULL);
}

typedef pthread_mutex_t test_mutex;
static inline void test_mutex_init(test_mutex *m) { pthread_mutex_init(m, NULL); }
static inline void test_mutex_lock(test_mutex *m) { pthread_mutex_lock(m); }
static inline void test_mutex_unlock(test_mutex *m) { pthread_mutex_unlock(m); }
static inline void test_mutex_destroy(test_mutex *m) { pthread_mutex_destroy(m); }
#endif

#endif /* CONCERT_TEST_THREADS_H */
