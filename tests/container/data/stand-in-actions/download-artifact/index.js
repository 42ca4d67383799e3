// Test stand-in for actions/download-artifact@v4, for act, which cannot fetch actions here.
//
// A port of src/download-artifact.ts of the action at v4.3.0
// (d3f86a106a0bac45b974a628896c90dbdf5c8093, the commit `v4` names), on @actions/artifact
// 2.3.2 and minimatch 9.0.3 as its package-lock.json holds (the rest of the bundled tree is
// upload-artifact v4.6.2's, see ../package.json: @actions/core 1.11.1 for its 1.10.1,
// unzip-stream 0.3.4 for 0.3.1, the same @azure/storage-blob 12.17.0).
// Inputs: name, pattern, path, merge-multiple; artefacts of this run only (github-token,
// repository, run-id and artifact-ids are not implemented and make the step fail).
//
// Layout under `path` (download-artifact.ts): one artefact asked for by `name` is unpacked
// into `path` itself; several (by `pattern`, or all) go each into `path/<artefact name>/`,
// unless `merge-multiple: true`, which unpacks them all into `path` itself.
'use strict'

const os = require('os')
const path = require('path')
const core = require('@actions/core')
const {DefaultArtifactClient} = require('@actions/artifact')
const {Minimatch} = require('minimatch')

const NOT_IMPLEMENTED = ['github-token', 'repository', 'run-id', 'artifact-ids']
const PARALLEL_DOWNLOADS = 5

async function run() {
  for (const name of NOT_IMPLEMENTED) {
    if (core.getInput(name)) {
      throw new Error(`the download-artifact stand-in does not implement '${name}'`)
    }
  }
  const inputs = {
    name: core.getInput('name'),
    path: core.getInput('path') || process.env['GITHUB_WORKSPACE'] || process.cwd(),
    pattern: core.getInput('pattern'),
    mergeMultiple: core.getBooleanInput('merge-multiple')
  }
  if (inputs.path.startsWith('~')) inputs.path = inputs.path.replace('~', os.homedir())
  const single = !!inputs.name
  const resolvedPath = path.resolve(inputs.path)
  const client = new DefaultArtifactClient()

  let artifacts
  if (single) {
    core.info('Downloading single artifact')
    const {artifact} = await client.getArtifact(inputs.name)
    if (!artifact) throw new Error(`Artifact '${inputs.name}' not found`)
    artifacts = [artifact]
  } else {
    artifacts = (await client.listArtifacts({latest: true})).artifacts
    if (inputs.pattern) {
      core.info(`Filtering artifacts by pattern '${inputs.pattern}'`)
      const matcher = new Minimatch(inputs.pattern)
      artifacts = artifacts.filter(artifact => matcher.match(artifact.name))
    } else {
      core.info(
        'No input name, artifact-ids or pattern filtered specified, downloading all artifacts'
      )
      if (!inputs.mergeMultiple) {
        core.info('An extra directory with the artifact name will be created for each download')
      }
    }
  }
  if (artifacts.length) {
    core.info('Preparing to download the following artifacts:')
    for (const artifact of artifacts) {
      core.info(`- ${artifact.name} (ID: ${artifact.id}, Size: ${artifact.size})`)
    }
  }
  for (let i = 0; i < artifacts.length; i += PARALLEL_DOWNLOADS) {
    const chunk = artifacts.slice(i, i + PARALLEL_DOWNLOADS)
    const outcomes = await Promise.all(
      chunk.map(artifact =>
        client.downloadArtifact(artifact.id, {
          path:
            single || inputs.mergeMultiple
              ? resolvedPath
              : path.join(resolvedPath, artifact.name),
          expectedHash: artifact.digest
        })
      )
    )
    outcomes.forEach((outcome, j) => {
      if (outcome.digestMismatch) {
        core.warning(`Artifact '${chunk[j].name}' digest validation failed.`)
      }
    })
  }
  core.info(`Total of ${artifacts.length} artifact(s) downloaded`)
  core.setOutput('download-path', resolvedPath)
  core.info('Download artifact has finished successfully')
}

run().catch(err => core.setFailed(`Unable to download artifact(s): ${err.message}`))
