/**
 * A small, ordered XML element tree for the robot description formats (URDF, MJCF), with
 * attribute readers whose errors name the file, the element and the attribute.
 *
 * Parsing is fast-xml-parser's (`preserveOrder`, so sibling order survives: MJCF joint order in a
 * body is kinematically meaningful); comments and processing instructions are dropped.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { InputError } from "../core/errors.js";

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function toElement(node: OrderedNode): XmlElement | undefined {
  const tag = Object.keys(node).find((k) => k !== ":@");
  if (tag === undefined || tag === "#text" || tag.startsWith("?")) return undefined;
  const kids = (node[tag] as OrderedNode[] | undefined) ?? [];
  return {
    tag,
    attrs: { ...(node[":@"] ?? {}) },
    children: kids.map(toElement).filter((e): e is XmlElement => e !== undefined),
  };
}

/** Parses an XML document and returns its root element; malformed XML is an InputError with its line. */
export function parseXml(text: string, file: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const e = valid.err;
    throw new InputError(`${file}:${e.line}:${e.col}: malformed XML: ${e.msg}`);
  }
  const roots = (parser.parse(text) as OrderedNode[]).map(toElement).filter((e) => e !== undefined);
  if (roots.length !== 1) throw new InputError(`${file}: expected one root element, found ${roots.length}`);
  return roots[0]!;
}

export const childrenNamed = (el: XmlElement, tag: string): XmlElement[] =>
  el.children.filter((c) => c.tag === tag);

export const firstChild = (el: XmlElement, tag: string): XmlElement | undefined =>
  el.children.find((c) => c.tag === tag);

/** Where an element is, for error messages: `file: <joint name="x">`. */
export const where = (file: string, el: XmlElement): string =>
  `${file}: <${el.tag}${el.attrs["name"] !== undefined ? ` name="${el.attrs["name"]}"` : ""}>`;

/** Whitespace-separated numbers of an attribute value; throws naming the attribute when one is not finite. */
export function parseNumbers(value: string, what: () => string): number[] {
  const parts = value
    .trim()
    .split(/\s+/)
    .filter((s) => s !== "");
  const out = parts.map(Number);
  if (out.some((v) => !Number.isFinite(v)))
    throw new InputError(`${what()}: '${value}' is not a list of numbers`);
  return out;
}

/**
 * Reads an attribute of `attrs` as exactly `n` numbers (or, with `n` an array, any of those
 * counts); `undefined` when absent.
 */
export function numbersAttr(
  attrs: Record<string, string>,
  name: string,
  n: number | readonly number[],
  what: () => string,
): number[] | undefined {
  const raw = attrs[name];
  if (raw === undefined) return undefined;
  const values = parseNumbers(raw, () => `${what()} attribute ${name}`);
  const allowed = typeof n === "number" ? [n] : n;
  if (!allowed.includes(values.length)) {
    throw new InputError(
      `${what()} attribute ${name}: expected ${allowed.join(" or ")} numbers, got ${values.length} ('${raw}')`,
    );
  }
  return values;
}

export function numberAttr(
  attrs: Record<string, string>,
  name: string,
  what: () => string,
): number | undefined {
  return numbersAttr(attrs, name, 1, what)?.[0];
}

export function requiredAttr(el: XmlElement, name: string, file: string): string {
  const v = el.attrs[name];
  if (v === undefined || v === "") throw new InputError(`${where(file, el)} is missing attribute '${name}'`);
  return v;
}

const escapeAttr = (v: string): string =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Writes an element tree back as XML text (attributes double-quoted and escaped, two-space indent). */
export function serializeXml(el: XmlElement, indent = ""): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join("");
  if (el.children.length === 0) return `${indent}<${el.tag}${attrs}/>\n`;
  const inner = el.children.map((c) => serializeXml(c, `${indent}  `)).join("");
  return `${indent}<${el.tag}${attrs}>\n${inner}${indent}</${el.tag}>\n`;
}
