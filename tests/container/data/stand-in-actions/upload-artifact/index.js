// Test stand-in for actions/upload-artifact@v4, for act, which cannot fetch actions here.
//
// A port of the action at v4.6.2 (ea165f8d65b6e75b540449e92b4886f43607fa02, the commit `v4`
// names), on the dependency tree its package-lock.json holds (../package-lock.json is that
// lock's production part: @actions/artifact 2.3.2, @actions/glob 0.5.0, @actions/core 1.11.1,
// @azure/storage-blob 12.17.0, whose block uploads act 0.2.89's artifact server accepts):
//   src/upload/input-helper.ts, src/upload/upload-artifact.ts   inputs, no-files behaviour
//   src/shared/search.ts                                         what `path` uploads
//   src/shared/upload-artifact.ts                                the upload and its outputs
// Inputs: name, path, if-no-files-found, include-hidden-files. The others (overwrite,
// retention-days, compression-level) are not implemented and make the step fail.
//
// Hidden files: since v4.4.0 `include-hidden-files` defaults to false, and search.ts then
// globs with `excludeHiddenFiles: true`. @actions/glob 0.5.0 (actions/toolkit,
// packages/glob/src/internal-globber.ts, since 50f2977ccef572a63b5e6e443b12b9972a68491d)
// skips every walked item whose basename starts with '.', the search path itself included:
// so `path: .baton/` finds no file at all (a warning, and no artifact) unless
// `include-hidden-files: true`.
'use strict'

const fs = require('fs')
const path = require('path')
const core = require('@actions/core')
const glob = require('@actions/glob')
const {DefaultArtifactClient} = require('@actions/artifact')

const NOT_IMPLEMENTED = ['overwrite', 'retention-days', 'compression-level']

function inputs() {
  for (const name of NOT_IMPLEMENTED) {
    if (core.getInput(name)) {
      throw new Error(`the upload-artifact stand-in does not implement '${name}'`)
    }
  }
  const ifNoFilesFound = core.getInput('if-no-files-found') || 'warn'
  if (!['warn', 'error', 'ignore'].includes(ifNoFilesFound)) {
    throw new Error(
      `Unrecognized if-no-files-found input. Provided: ${ifNoFilesFound}. ` +
        'Available options: warn,error,ignore'
    )
  }
  return {
    artifactName: core.getInput('name') || 'artifact',
    searchPath: core.getInput('path', {required: true}),
    ifNoFilesFound,
    includeHiddenFiles: core.getBooleanInput('include-hidden-files')
  }
}

// src/shared/search.ts: getMultiPathLCA
function multiPathLCA(searchPaths) {
  const splitPaths = searchPaths.map(p => path.normalize(p).split(path.sep))
  const smallest = Math.min(...splitPaths.map(p => p.length))
  const common = searchPaths[0].startsWith(path.sep) ? [path.sep] : []
  for (let i = 0; i < smallest; i++) {
    const segment = splitPaths[0][i]
    if (splitPaths.some(p => p[i] !== segment)) break
    common.push(segment)
  }
  return path.join(...common)
}

// src/shared/search.ts: findFilesToUpload
async function findFilesToUpload(searchPath, includeHiddenFiles) {
  const globber = await glob.create(searchPath, {
    followSymbolicLinks: true,
    implicitDescendants: true,
    omitBrokenSymbolicLinks: true,
    excludeHiddenFiles: !includeHiddenFiles
  })
  const files = []
  for (const found of await globber.glob()) {
    if (!fs.statSync(found).isDirectory()) files.push(found)
  }
  const searchPaths = globber.getSearchPaths()
  if (searchPaths.length > 1) {
    return {files, rootDirectory: multiPathLCA(searchPaths)}
  }
  if (files.length === 1 && searchPaths[0] === files[0]) {
    return {files, rootDirectory: path.dirname(files[0])}
  }
  return {files, rootDirectory: searchPaths[0]}
}

async function run() {
  const given = inputs()
  const {files, rootDirectory} = await findFilesToUpload(
    given.searchPath,
    given.includeHiddenFiles
  )
  if (files.length === 0) {
    const message =
      `No files were found with the provided path: ${given.searchPath}. ` +
      'No artifacts will be uploaded.'
    if (given.ifNoFilesFound === 'error') core.setFailed(message)
    else if (given.ifNoFilesFound === 'warn') core.warning(message)
    else core.info(message)
    return
  }
  const s = files.length === 1 ? '' : 's'
  core.info(`With the provided path, there will be ${files.length} file${s} uploaded`)
  core.debug(`Root artifact directory is ${rootDirectory}`)
  const uploaded = await new DefaultArtifactClient().uploadArtifact(
    given.artifactName,
    files,
    rootDirectory,
    {}
  )
  core.info(
    `Artifact ${given.artifactName} has been successfully uploaded! ` +
      `Final size is ${uploaded.size} bytes. Artifact ID is ${uploaded.id}`
  )
  core.setOutput('artifact-id', uploaded.id)
  core.setOutput('artifact-digest', uploaded.digest)
}

run().catch(err => core.setFailed(err.message))
