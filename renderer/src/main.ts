import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import './composables/echarts.ts'
import './styles/main.css'
import './styles/library-io.css'
import './styles/forms.css'

createApp(App).use(createPinia()).mount('#app')
