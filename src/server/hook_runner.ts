/**
 * Calls the program's {@link ServerHooks} so that none of them can hurt a session or the server: a
 * hook that throws or rejects is logged; a notification is never awaited, so one that hangs holds
 * nothing up; the one hook whose answer matters, `onDescribe`, is awaited against a time limit.
 *
 * @module
 */

import type { Logger } from "../base/log.ts";
import type { DescribeAnswer, DescribeInfo, ServerHooks } from "./hooks.ts";

/** The hooks that only tell, never decide. */
export type NotifyHook = Exclude<keyof ServerHooks, "onDescribe">;

/** What the `onDescribe` hook decided. */
export type DescribeOutcome =
  | { kind: "go-on"; answer: DescribeAnswer }
  | { kind: "refused"; status: number }
  | { kind: "timed-out" };

/** Calls hooks safely. */
export class HookRunner {
  readonly #hooks: ServerHooks;
  readonly #logger: () => Logger;

  /** Runs `hooks`, logging their failures to the logger `logger()` returns at the time. */
  constructor(hooks: ServerHooks, logger: () => Logger) {
    this.#hooks = hooks;
    this.#logger = logger;
  }

  /** Whether the program gave this hook. */
  has(name: keyof ServerHooks): boolean {
    return this.#hooks[name] !== undefined;
  }

  /** Tells a hook, without waiting for it. */
  notify<K extends NotifyHook>(name: K, info: Parameters<NonNullable<ServerHooks[K]>>[0]): void {
    const hook = this.#hooks[name] as ((info: unknown) => unknown) | undefined;
    if (!hook) return;
    try {
      const result = hook.call(this.#hooks, info);
      if (result instanceof Promise) result.catch((error) => this.#failed(name, error));
    } catch (error) {
      this.#failed(name, error);
    }
  }

  /**
   * Asks `onDescribe`, waiting at most `timeoutMs`. A thrown or rejected error refuses with its
   * `status` when that is an RTSP error status (400-599), else 500.
   */
  async describe(info: DescribeInfo, timeoutMs: number): Promise<DescribeOutcome> {
    const hook = this.#hooks.onDescribe;
    if (!hook) return { kind: "go-on", answer: undefined };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timed-out">((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), timeoutMs);
    });
    try {
      const answer = await Promise.race([
        Promise.resolve().then(() => hook.call(this.#hooks, info)),
        timeout,
      ]);
      if (answer === "timed-out") {
        this.#logger().log("warn", "onDescribe hook took too long; answering 503", {
          path: info.path,
          connection: info.connection,
          ms: timeoutMs,
        });
        return { kind: "timed-out" };
      }
      if (isRefusal(answer)) {
        const status = answer.status;
        if (isErrorStatus(status)) return { kind: "refused", status };
        this.#logger().log("warn", "onDescribe hook returned a status that is no error", {
          path: info.path,
          status: String(status),
        });
        return { kind: "refused", status: 500 };
      }
      return { kind: "go-on", answer };
    } catch (error) {
      this.#failed("onDescribe", error);
      const status = (error as { status?: unknown } | null)?.status;
      return { kind: "refused", status: isErrorStatus(status) ? status : 500 };
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(name: keyof ServerHooks, error: unknown): void {
    this.#logger().log("warn", "hook failed", { hook: name, error: String(error) });
  }
}

function isRefusal(answer: DescribeAnswer): answer is { status: number } {
  return typeof answer === "object" && answer !== null && "status" in answer &&
    !("sendFrame" in answer);
}

function isErrorStatus(status: unknown): status is number {
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599;
}
