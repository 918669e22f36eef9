/**
 * Catalog view -> markdown, through `templates/catalog.md.hbs`. Its one handlebars helper,
 * `cell`, is registered here: it makes a string safe inside a markdown table cell.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../runtime/package-root.js';
import Handlebars from 'handlebars';
import type { CatalogView } from './catalog.js';

const TEMPLATE_URL = path.join(PACKAGE_ROOT, 'templates', 'catalog.md.hbs');

let compiled: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  if (compiled === undefined) {
    const hbs = Handlebars.create();
    // A `|` would end the cell and a newline the row.
    hbs.registerHelper('cell', (text: unknown) => String(text ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' '));
    // noEscape: markdown, not HTML; the spec's text is printed as written.
    compiled = hbs.compile(readFileSync(TEMPLATE_URL, 'utf8'), { noEscape: true, strict: true });
  }
  return compiled;
}

/** Render the catalog of one API. */
export function emitCatalog(view: CatalogView): string {
  return template()(view);
}
