/**
 * The notebook surface: a notebook controller that runs `.ipynb` cells in the embedded
 * interpreter, one environment per notebook. extension.ts calls registerNotebookController
 * once and disposes what it returns on deactivation.
 */
export { registerNotebookController, CONSOLE_CONTROLLER_ID, INTERACTIVE_TYPE, type NotebookControllers } from './controller';
