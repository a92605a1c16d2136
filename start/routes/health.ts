/*
| Probes: liveness (`/health`: is the process up and answering? cheap on
| purpose, no I/O) and readiness (`/health/ready`: is it fit to take
| traffic? database, Redis, migrations, backups, job worker, disk, heap).
*/
import router from '@adonisjs/core/services/router'

const HealthController = () => import('#controllers/health_controller')

router.get('/health', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
