// jest.config.js already loads tests/setup/ort-realm.ts before every node test file; this path stays so that older
// imports keep working (and the trainer test uses it as a module that exports no task).
import '../../setup/ort-realm';
