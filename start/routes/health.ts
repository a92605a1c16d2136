/*
| Liveness: is the process up and answering? Cheap on purpose; readiness
| (is it fit to take traffic?) is added beside it.
*/
import router from '@adonisjs/core/services/router'

router.get('/health', async () => ({ status: 'ok' }))
