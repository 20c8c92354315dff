/**
 * Loaded with `node --import tsx --import <this file>`: registers hooks.ts
 * after tsx's hooks, so that it rewrites what tsx made of the TypeScript.
 */
import { register } from 'node:module';

register('./hooks.ts', import.meta.url);
