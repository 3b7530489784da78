import 'reflect-metadata';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { normalizeRule } from './config-validation.js';
import {
  DEFAULT_RULE_NAME,
  EXTRAS_RATE_LIMIT_KEY,
  EXTRAS_SKIP_RATE_LIMIT_KEY,
  RATE_LIMIT_METADATA,
  SKIP_RATE_LIMIT_METADATA,
} from './rate-limit.constants.js';
import type { RateLimitRuleOptions } from './rate-limit.interfaces.js';

type Rules = RateLimitRuleOptions[];

/** Rules accumulate by name; a later rule of the same name replaces the earlier one. */
export function mergeRulesByName(...lists: (Rules | undefined)[]): Rules {
  const byName = new Map<string, RateLimitRuleOptions>();
  for (const list of lists) {
    for (const rule of list ?? []) byName.set(rule.name ?? DEFAULT_RULE_NAME, rule);
  }
  return [...byName.values()];
}

function ownRules(target: object): Rules | undefined {
  return Reflect.getOwnMetadata(RATE_LIMIT_METADATA, target) as Rules | undefined;
}

function isSkipped(target: object | undefined): boolean {
  return target !== undefined && Reflect.getOwnMetadata(SKIP_RATE_LIMIT_METADATA, target) === true;
}

function mergeExtras(handler: object, extras: Record<string, unknown>): void {
  Reflect.defineMetadata(
    PATTERN_EXTRAS_METADATA,
    { ...Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handler), ...extras },
    handler,
  );
}

/** Message/event handlers of a class: methods that carry Nest's pattern metadata. */
function patternHandlers(classRef: Function): Function[] {
  const out: Function[] = [];
  const proto = classRef.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    const value = Object.getOwnPropertyDescriptor(proto, name)?.value;
    if (typeof value === 'function' && Reflect.hasOwnMetadata(PATTERN_METADATA, value)) {
      out.push(value);
    }
  }
  return out;
}

/**
 * Writes the effective rules of a handler into Nest's pattern extras, where a transport's
 * `addHandler(pattern, handler, isEvent, extras)` finds them. Class rules come first so a
 * method rule of the same name overrides them.
 */
function syncExtras(handler: Function, classRef?: Function): void {
  const skip = isSkipped(handler) || isSkipped(classRef);
  const rules = mergeRulesByName(classRef && ownRules(classRef), ownRules(handler));
  mergeExtras(handler, {
    [EXTRAS_RATE_LIMIT_KEY]: skip ? [] : rules,
    [EXTRAS_SKIP_RATE_LIMIT_KEY]: skip,
  });
}

function describeTarget(target: object, key?: string | symbol): string {
  const cls = typeof target === 'function' ? target : target.constructor;
  return key === undefined ? cls.name : `${cls.name}.${String(key)}`;
}

/**
 * Declares a rate-limit rule on a handler or on a controller class (every handler).
 * Stack it with different `name`s for several rules. Validated when the class is defined,
 * so a bad rule fails at start-up with the field and the fix.
 *
 * On a method it also merges `{ rateLimit: [...rules] }` into Nest's pattern extras (as
 * `@MessagePattern` does, so either decorator order works). Class rules reach the extras of
 * every pattern handler of the class, since class decorators run after method decorators.
 */
export function RateLimit(options: RateLimitRuleOptions): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = `@RateLimit() on ${describeTarget(target, key)}`;
    const name = normalizeRule(options, where).name;
    const rule: RateLimitRuleOptions = { ...options, name };
    const holder = (descriptor?.value ?? target) as Function;
    Reflect.defineMetadata(RATE_LIMIT_METADATA, mergeRulesByName(ownRules(holder), [rule]), holder);
    if (descriptor) syncExtras(holder);
    else for (const handler of patternHandlers(holder)) syncExtras(handler, holder);
  };
}

/** Exempts a handler, or every handler of a class, from handler rules. */
export function SkipRateLimit(): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as Function;
    Reflect.defineMetadata(SKIP_RATE_LIMIT_METADATA, true, holder);
    if (descriptor) syncExtras(holder);
    else for (const handler of patternHandlers(holder)) syncExtras(handler, holder);
  };
}

/**
 * The effective rules of a handler: class rules overridden by method rules of the same
 * name; none when either is marked `@SkipRateLimit()`.
 */
export function getRateLimitRules(target: object, classRef?: Function): RateLimitRuleOptions[] {
  if (isSkipped(target) || isSkipped(classRef)) return [];
  return mergeRulesByName(classRef && ownRules(classRef), ownRules(target));
}

/** Rules a transport receives in `addHandler(..., extras)`. */
export function rulesFromExtras(extras: unknown): RateLimitRuleOptions[] {
  if (typeof extras !== 'object' || extras === null) return [];
  const record = extras as Record<string, unknown>;
  if (record[EXTRAS_SKIP_RATE_LIMIT_KEY] === true) return [];
  const rules = record[EXTRAS_RATE_LIMIT_KEY];
  return Array.isArray(rules) ? (rules as RateLimitRuleOptions[]) : [];
}

/** True when the handler's extras carry `skipRateLimit: true`. */
export function isRateLimitSkipped(extras: unknown): boolean {
  return (
    typeof extras === 'object' &&
    extras !== null &&
    (extras as Record<string, unknown>)[EXTRAS_SKIP_RATE_LIMIT_KEY] === true
  );
}
