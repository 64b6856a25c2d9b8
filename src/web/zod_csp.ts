/**
 * zod compiles fast parsers with `new Function` when it may; the preview's Content-Security-Policy
 * forbids that (and the browser reports even a caught attempt as a violation). Imported first by
 * every entry point (page and worker), before any schema parses.
 */
import { z } from "zod";

z.config({ jitless: true });
