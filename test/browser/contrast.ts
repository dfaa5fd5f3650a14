/**
 * WCAG 2.x contrast of every visible text on a page, computed in the page: each element's text colour against the
 * first opaque background behind it (ancestors included). Returns the texts below the threshold.
 */
import type { Page } from 'playwright-core';

export interface LowContrast {
  readonly text: string;
  readonly ratio: number;
}

export async function lowContrastTexts(page: Page, minimum = 4.5): Promise<LowContrast[]> {
  return page.evaluate((min) => {
    const rgba = (css: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      const parts = (m?.[1] ?? '0,0,0,0').split(',').map((p) => Number(p.trim()));
      return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
    };
    const luminance = ([r, g, b]: [number, number, number, number]): number => {
      const lin = (c: number): number => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element | null): [number, number, number, number] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.99) return c;
      }
      return [255, 255, 255, 1];
    };
    const out: { text: string; ratio: number }[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '',
      );
      if (!own || el.closest('svg') || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const fg = luminance(rgba(style.color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < min)
        out.push({
          text: ((el.textContent as string | null) ?? '').trim().slice(0, 60),
          ratio: Math.round(ratio * 100) / 100,
        });
    }
    return out;
  }, minimum);
}
