import {runStateCommand} from '../../src/cli/instances/run-state.js'

export default runStateCommand('resume', 'Resume a paused or failed instance.', 'Wait until it is running.')
