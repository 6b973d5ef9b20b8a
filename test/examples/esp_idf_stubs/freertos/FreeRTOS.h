/* Stub of FreeRTOS's types and macros that mic_push.c uses. */
#pragma once
#include <stdint.h>
typedef uint32_t TickType_t;
typedef long BaseType_t;
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define pdPASS 1
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
