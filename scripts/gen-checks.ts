import { writeFileSync } from 'node:fs'
import { CHECKS_FILE, publishedCatalogue, renderPublishedCatalogue } from '../conformance/checks/published-catalogue.js'

writeFileSync(CHECKS_FILE, renderPublishedCatalogue(publishedCatalogue()))
