// A measured `perf kvm stat` table pasted from a real host, shown beside a configuration's simulated table.
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { importPerfKvmStat, printPerfImport } from '@core/formats/index.ts'
import { fromFieldError } from '../lib/import-preview.ts'

export const useMeasuredStore = defineStore('measured', () => {
  const text = ref('')
  const fileName = ref('')
  /** The configuration it is compared with ('' = the first of the run). */
  const config = ref('')
  /** Which table of the import (perf live prints one per refresh). */
  const table = ref(0)

  const parsed = computed(() => (text.value.trim() === '' ? undefined : importPerfKvmStat(text.value)))
  const problems = computed(() => (parsed.value && !parsed.value.ok ? parsed.value.errors.map(fromFieldError) : []))
  const imported = computed(() => (parsed.value?.ok ? parsed.value.value : undefined))
  const warnings = computed(() => (parsed.value?.ok ? parsed.value.warnings : []))
  /** The import printed back in perf's own format. */
  const printed = computed(() => (imported.value ? printPerfImport(imported.value) : ''))
  const current = computed(() => imported.value?.tables[Math.min(table.value, imported.value.tables.length - 1)])

  function clear(): void {
    text.value = ''
    fileName.value = ''
    table.value = 0
  }

  return { text, fileName, config, table, parsed, problems, imported, warnings, printed, current, clear }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useMeasuredStore, import.meta.hot))
