// The command table. Each command lives in its own module; add new ones here.
import type { Command } from '../io.js'
import { specCommand } from './spec.js'

export const commands: Command[] = [specCommand]
commands.push((await import('./report.js')).reportCommand)
commands.push((await import('./fixtures.js')).fixturesCommand)
commands.push((await import('./check-package.js')).checkPackageCommand)
commands.push((await import('./probe.js')).probeCommand)
commands.push((await import('./reproduce.js')).reproduceCommand)
