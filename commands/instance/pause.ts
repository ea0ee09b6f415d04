import {runStateCommand} from '../../src/cli/instances/run-state.js'

export default runStateCommand('pause', 'Pause an instance (it resumes by itself when used).', 'Wait until it is paused.')
