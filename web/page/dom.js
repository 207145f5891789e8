// @ts-check
// The page's element lookup. Typed loosely on purpose: the ids are the HTML
// pages' (index.html, share.html, embed.html), and each page lacks some of them.

/** @type {(id: string) => any} */
export const $ = (id) => document.getElementById(id);
