import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFunctionModuleLoader } from '../../packages/local/src/function-modules';

const PACKAGE_DIR = resolve(__dirname, '../../node_modules/yaml');

describe('createFunctionModuleLoader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-modules-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a package named by the absolute path of its directory, as Node does, shared with the host', () => {
    writeFileSync(join(dir, 'app.js'), `module.exports = require(${JSON.stringify(PACKAGE_DIR)});`);

    const loaded = createFunctionModuleLoader().createScope().require(join(dir, 'app.js'));

    expect(loaded).toBe(require('yaml'));
  });

  it('gives each scope its own instance of a project file, and one instance within a scope', () => {
    writeFileSync(join(dir, 'state.js'), 'module.exports = { count: 0 };');
    writeFileSync(join(dir, 'app.js'), "const state = require('./state'); state.count += 1; module.exports = state;");
    const loader = createFunctionModuleLoader();
    const first = loader.createScope();
    const second = loader.createScope();

    expect(first.require(join(dir, 'app.js'))).toEqual({ count: 1 });
    expect(first.require(join(dir, 'state.js'))).toBe(first.require(join(dir, 'app.js')));
    expect(second.require(join(dir, 'app.js'))).toEqual({ count: 1 });
    expect(second.require(join(dir, 'app.js'))).not.toBe(first.require(join(dir, 'app.js')));
  });

  it('says which module is missing, and from where', () => {
    writeFileSync(join(dir, 'app.js'), "require('./nowhere');");

    expect(() => createFunctionModuleLoader().createScope().require(join(dir, 'app.js'))).toThrow(
      `Cannot find module './nowhere' from '${join(dir, 'app.js')}'`,
    );
  });
});
