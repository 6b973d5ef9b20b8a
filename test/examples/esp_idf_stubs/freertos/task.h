/* Stub of FreeRTOS's task functions that mic_push.c uses. */
#pragma once
#include <stdint.h>
#include "FreeRTOS.h"
typedef void *TaskHandle_t;
typedef void (*TaskFunction_t)(void *);
BaseType_t xTaskCreate(TaskFunction_t code, const char *name, uint32_t stack_depth, void *params,
                       unsigned priority, TaskHandle_t *created);
void vTaskDelay(TickType_t ticks);
