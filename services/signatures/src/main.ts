import { loadConfig, runService } from '@lienthong/platform'
import { buildApp } from './app.ts'
import { SignaturesConfig } from './config.ts'

const config = loadConfig(SignaturesConfig)
// The master keys are parsed into the config; nothing started from here needs to inherit them.
delete process.env.MASTER_KEYS
await runService(() => buildApp(config), { host: config.HOST, port: config.PORT })
