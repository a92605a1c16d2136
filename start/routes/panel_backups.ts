/*
| The owner's backups page: the archives, "back up now", downloads, the
| restore of an archive (after re-authentication), and the JSON the page
| polls while a backup or restore is queued or running. Owners only.
| Archive names have one shape (keyward-YYYYMMDDTHHMMSSZ.kwbackup or .tar);
| any other answers 404 before a controller runs.
*/
import router from '@adonisjs/core/services/router'
import { ARCHIVE_NAME } from '#services/backups/retention'
import { middleware, panelGuards } from '#start/kernel'

const BackupsController = () => import('#controllers/panel/backups_controller')

router
  .group(() => {
    router.get('/admin/backups', [BackupsController, 'index']).as('backups.index')
    router.get('/admin/backups/status', [BackupsController, 'status']).as('backups.status')
    router.post('/admin/backups', [BackupsController, 'store']).as('backups.store')
    router
      .get('/admin/backups/:name/download', [BackupsController, 'download'])
      .as('backups.download')
    router
      .get('/admin/backups/:name/restore', [BackupsController, 'confirmRestore'])
      .as('backups.confirm_restore')
    router
      .post('/admin/backups/:name/restore', [BackupsController, 'restore'])
      .as('backups.restore')
  })
  .where('name', { match: ARCHIVE_NAME })
  .as('admin')
  .use([...panelGuards(), middleware.owner()])
