import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import { absolutePath } from 'swagger-ui-dist';
import { RequireScope } from '../auth/auth.guard';
import { openApiDocument } from './operations';

const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tern API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/init.js"></script></body></html>`;
const init = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui', persistAuthorization: true });`;
const assets: Record<string, string> = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript' };

/** OpenAPI document and Swagger UI, served from the swagger-ui-dist package (no CDN). */
@Controller('docs')
@RequireScope('public')
export class DocsController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index() {
    return page;
  }

  @Get('openapi.json')
  document() {
    return openApiDocument('1');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res({ passthrough: true }) res: { setHeader(n: string, v: string): void }) {
    if (file === 'init.js') {
      res.setHeader('Content-Type', 'text/javascript');
      return init;
    }
    const type = assets[file];
    if (!type) throw new NotFoundException(`no asset ${file}`);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'public, max-age=86400');
    return new StreamableFile(readFileSync(path.join(absolutePath(), file)));
  }
}
